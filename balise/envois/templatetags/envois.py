from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from balise.envois.services import CHAMP, jeton_de

register = template.Library()


@register.simple_tag(takes_context=True)
def champ_envoi(context: template.Context) -> SafeString:
    """Le champ caché qui fait d'un formulaire de création un envoi unique (`services.une_seule_fois`).
    Dans une page gardée en cache, le jeton est un « trou » comblé à chaque requête (cache_pages)."""
    jeton = context.get("jeton_envoi") or jeton_de(context["request"])
    return format_html('<input type="hidden" name="{}" value="{}">', CHAMP, jeton)

"""Définitions en contexte : `{% terme "RAG" %}` dans un gabarit, `{{ texte|definir }}` sur une donnée
(libellé d'un référentiel, principe d'une charte). Le terme devient un lien vers sa définition dans le
glossaire, décrit (`aria-describedby`) par une infobulle du DSFR qui la donne sur place.

Le filtre n'explique que la première écriture de chaque terme : une définition par terme suffit à la
lecture, et le test des pages publiques (tests/test_glossaire.py) le vérifie page par page.
"""

import secrets

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from balise.glossaire.glossaire import Terme, en_vigueur

register = template.Library()


def expliquer(texte: str, terme: Terme) -> SafeString:
    ident = f"terme-{terme.id}-{secrets.token_hex(4)}"
    return format_html(
        '<span class="balise-terme" data-terme="{}"><a class="fr-link" href="{}#{}" aria-describedby="{}">'
        '{}</a><span class="fr-tooltip fr-placement" id="{}" role="tooltip" aria-hidden="true">{}</span></span>',
        terme.id,
        reverse("glossaire"),
        terme.id,
        ident,
        texte,
        ident,
        terme.definition,
    )


@register.simple_tag(takes_context=True)
def terme(context: template.Context, ecriture: str, texte: str = "") -> SafeString:
    """`{% terme "POC" %}`, ou `{% terme "poc" "preuve de concept" %}` pour un autre texte affiché ; le
    texte seul là où une infobulle n'a pas de sens (`sans_definitions`, dossier PDF)."""
    defini = en_vigueur().terme(ecriture)
    if context.get("sans_definitions"):
        return conditional_escape(texte or ecriture)
    return expliquer(texte or ecriture, defini)


@register.filter
def definir(valeur: object) -> SafeString:
    texte = str(valeur)
    morceaux: list[str] = []
    vus: set[str] = set()
    position = 0
    for debut, fin, t in en_vigueur().reperer(texte):
        if t.id in vus:
            continue
        vus.add(t.id)
        morceaux += [conditional_escape(texte[position:debut]), expliquer(texte[debut:fin], t)]
        position = fin
    morceaux.append(conditional_escape(texte[position:]))
    return mark_safe("".join(morceaux))  # noqa: S308 — chaque morceau est échappé ou construit par format_html

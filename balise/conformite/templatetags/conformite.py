from django import template

from balise.conformite.regles import Reference, Regles

register = template.Library()


@register.simple_tag
def references_de(regles: Regles, references: list[Reference]) -> list[dict[str, str | None]]:
    return regles.citer(references)

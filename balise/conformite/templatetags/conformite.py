from django import template

register = template.Library()


@register.simple_tag
def references_de(regles, references) -> list[dict]:
    return regles.citer(references)

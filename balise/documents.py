"""Couleurs des documents imprimés (PDF, ODT) : celles du thème de l'instance, comme ses pages.

En thème neutre, aucun document d'une collectivité ne porte le bleu France (balise/theme.py).
"""

from django import template

from balise.svg import BLEU_FRANCE
from balise.theme import couleur_du_theme

register = template.Library()

COULEUR_TITRES = BLEU_FRANCE
FOND_ENCADRE = couleur_du_theme("#f5f5fe", principale=True)


@register.simple_tag
def couleur_titres() -> str:
    return COULEUR_TITRES


@register.simple_tag
def fond_encadre() -> str:
    return FOND_ENCADRE

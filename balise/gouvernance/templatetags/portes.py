"""Les liens d'une liste de contrôle de porte vers l'endroit où chaque critère se remplit."""

from django import template
from django.urls import reverse

from balise.gouvernance.politique import LIBELLES_TYPES, Critere, parametres_lisibles
from balise.gouvernance.portes import Ligne
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

register = template.Library()


@register.simple_tag
def lien_critere(ligne: Ligne, organisation: Organisation, systeme: SystemeIA) -> str:
    """L'adresse où remplir le critère ; vide quand la page qui le remplit n'existe pas encore dans
    Balise (décisions et conditions : consignées par les instances)."""
    slug = organisation.slug
    if ligne.cible == "fiche":
        return reverse("registre:modifier", args=[slug, systeme.pk])
    if ligne.cible == "evaluations":
        return reverse("instruments:evaluations_systeme", args=[slug, systeme.pk])
    if ligne.cible == "qualification":
        return reverse("conformite:qualification", args=[slug, systeme.pk])
    if ligne.cible == "obligation" and ligne.cible_pk is not None:
        return reverse("conformite:obligation", args=[slug, ligne.cible_pk])
    return ""


@register.filter
def parametres(critere: Critere) -> list[str]:
    """Les paramètres d'un critère de la politique, en clair."""
    return parametres_lisibles(critere)


@register.filter
def type_critere(critere: Critere) -> str:
    return LIBELLES_TYPES.get(critere.type, critere.type)

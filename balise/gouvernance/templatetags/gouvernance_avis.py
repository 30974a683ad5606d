"""Balises de gabarit de la gouvernance : la chronologie d'un système (fiche du registre) et ce que le
registre public en montre."""

from django import template
from django.utils import timezone

from balise.gouvernance import selectors_avis
from balise.registre.models import SystemeIA

register = template.Library()


@register.simple_tag
def chronologie_gouvernance(systeme: SystemeIA) -> list[selectors_avis.Evenement]:
    """Avis, décisions et conditions du système dans l'ordre du temps. Le retard d'une condition dépend
    de la date du jour : la fiche du registre, en cache, porte cette date dans sa clé."""
    return selectors_avis.chronologie(systeme, timezone.localdate())


@register.simple_tag
def gouvernance_publique(systeme: SystemeIA) -> tuple[list, list]:
    """(avis publics, décisions publiques) du système, pour sa fiche au registre public."""
    return selectors_avis.publics(systeme)

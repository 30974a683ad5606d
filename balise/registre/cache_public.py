"""Cache du registre public : ses pages et exports sont lus bien plus souvent qu'ils ne changent.

La clé contient `Organisation.modifie_le`, avancée à chaque enregistrement d'un système de
l'organisation (signal ci-dessous) comme de l'organisation elle-même : une modification rend
aussitôt l'ancienne entrée inatteignable, sans invalidation explicite ni risque d'entrée périmée.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from balise.organisations.models import Organisation

from .models import SystemeIA

T = TypeVar("T")
DUREE = 24 * 3600


def lire(organisation: Organisation, nature: str, produire: Callable[[], T]) -> T:
    cle = f"public:{nature}:{organisation.pk}:{organisation.modifie_le.timestamp()}"
    valeur = cache.get(cle)
    if valeur is None:
        valeur = produire()
        cache.set(cle, valeur, DUREE)
    return valeur


@receiver(post_save, sender=SystemeIA)
def _systeme_enregistre(sender, instance: SystemeIA, **kwargs) -> None:
    Organisation.objects.filter(pk=instance.organisation_id).update(modifie_le=timezone.now())

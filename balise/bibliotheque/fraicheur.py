"""Ce qui, dans la bibliothèque, renouvelle la génération des pages en cache (balise/generations.py) :
la fiche du registre montre le partage du système et le cas dont il est né (bibliotheque/_provenance.html).
Les pages de la bibliothèque elles-mêmes ne sont pas gardées en cache."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import Adoption, CasUsage


@receiver([post_save, post_delete], sender=CasUsage)
def _cas(sender: object, instance: CasUsage, **kwargs: Any) -> None:
    adoptantes = set(Adoption.objects.filter(cas=instance.pk).values_list("organisation_id", flat=True))
    if instance.organisation_id is not None:
        adoptantes.add(instance.organisation_id)
    if adoptantes:
        generations.renouveler("organisation", *adoptantes)


@receiver([post_save, post_delete], sender=Adoption)
def _adoption(sender: object, instance: Adoption, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)

"""Ce qui, dans la charte, renouvelle la génération des pages en cache de l'organisation
(balise/generations.py) : le registre public montre le lien vers la charte adoptée, les données
ouvertes la reprennent."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import VersionCharte


@receiver([post_save, post_delete], sender=VersionCharte)
def _version(sender: object, instance: VersionCharte, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)

"""Un indicateur ou une mesure qui change renouvelle la génération des pages en cache de son
organisation : la fiche d'un système (registre) liste ses indicateurs et leur dernière valeur."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import Indicateur, Mesure


@receiver([post_save, post_delete], sender=Indicateur)
@receiver([post_save, post_delete], sender=Mesure)
def _renouveler(sender: object, instance: Indicateur | Mesure, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)

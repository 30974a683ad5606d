"""Ce qui, dans la passerelle, renouvelle la génération des pages en cache de l'organisation
(balise/generations.py) : la fiche d'un système montre le lien vers l'usage de ses modèles du catalogue.
L'usage lui-même n'est jamais gardé en cache : il change à chaque requête des agents."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import ModeleCatalogue


@receiver([post_save, post_delete], sender=ModeleCatalogue)
def _modele(sender: object, instance: ModeleCatalogue, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)

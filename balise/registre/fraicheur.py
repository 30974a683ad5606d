"""Ce qui, dans le registre, renouvelle la génération des pages en cache de l'organisation
(balise/generations.py) : tout ce que montrent la liste, la fiche, le portefeuille et le registre public."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import ChangementStade, Document, SystemeIA


@receiver([post_save, post_delete], sender=SystemeIA)
def _systeme(sender: object, instance: SystemeIA, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.organisation_id)


@receiver([post_save, post_delete], sender=ChangementStade)
@receiver([post_save, post_delete], sender=Document)
def _element_d_un_systeme(sender: object, instance: ChangementStade | Document, **kwargs: Any) -> None:
    # Le système est en mémoire quand un service crée l'élément : pas de requête pour son organisation.
    generations.renouveler("organisation", instance.systeme.organisation_id)

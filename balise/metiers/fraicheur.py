"""Les groupes d'agents exposés apparaissent sur la fiche des systèmes qui leur sont reliés : leurs
changements renouvellent la génération des pages en cache (balise/generations.py)."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from balise import generations
from balise.registre.models import SystemeIA

from .models import GroupeSuivi


@receiver([post_save, post_delete], sender=GroupeSuivi)
@receiver(m2m_changed, sender=GroupeSuivi.systemes.through)
def _groupe(sender: object, instance: GroupeSuivi | SystemeIA, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        generations.renouveler("organisation", instance.organisation_id)

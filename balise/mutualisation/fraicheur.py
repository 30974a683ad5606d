"""Une convention enregistrée renouvelle la génération de ses deux organisations : l'accès délégué
(delegation.py) et les pages des deux côtés sont relus dès la requête suivante."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from balise import generations

from .models import Convention


@receiver([post_save, post_delete], sender=Convention)
def _convention(sender: object, instance: Convention, **kwargs: Any) -> None:
    generations.renouveler("organisation", instance.membre_id, instance.mutualisante_id)

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db.models.signals import post_save

if TYPE_CHECKING:
    from balise.registre.models import SystemeIA


def _registre_modifie(sender: object, instance: SystemeIA, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        from .services import signaler_si_necessaire

        signaler_si_necessaire(instance)


class ConformiteConfig(AppConfig):
    name = "balise.conformite"
    verbose_name = "Qualification réglementaire"

    def ready(self) -> None:
        from balise.registre.models import SystemeIA

        # Une fiche modifiée (données personnelles, type d'IA, passage en production…) peut rendre
        # sa qualification caduque : le système est alors signalé pour une nouvelle qualification.
        post_save.connect(_registre_modifie, sender=SystemeIA, dispatch_uid="conformite-requalification")

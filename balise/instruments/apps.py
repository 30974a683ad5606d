from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _synchroniser(sender: object, **kwargs: Any) -> None:
    from .services import synchroniser_definitions_livrees

    synchroniser_definitions_livrees()


class InstrumentsConfig(AppConfig):
    name = "balise.instruments"
    verbose_name = "Instruments d'évaluation"

    def ready(self) -> None:
        # Après chaque migration (et chaque remise à zéro de la base de test), les définitions
        # nationales des fichiers sont en base : une évaluation peut toujours y renvoyer.
        post_migrate.connect(_synchroniser, sender=self)

from django.apps import AppConfig


class GouvernanceConfig(AppConfig):
    name = "balise.gouvernance"
    verbose_name = "Gouvernance : instances, séances, avis, décisions, conditions, portes"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux qui renouvellent les pages en cache

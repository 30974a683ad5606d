from django.apps import AppConfig


class MetiersConfig(AppConfig):
    name = "balise.metiers"
    verbose_name = "Impact sur les métiers"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux qui renouvellent les pages en cache

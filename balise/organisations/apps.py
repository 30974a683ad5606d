from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "balise.organisations"
    verbose_name = "Organisations et rôles"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux qui renouvellent les pages en cache

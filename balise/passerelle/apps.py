from django.apps import AppConfig


class PasserelleConfig(AppConfig):
    name = "balise.passerelle"
    label = "passerelle"
    verbose_name = "Passerelle d'IA générative"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux qui renouvellent les pages en cache

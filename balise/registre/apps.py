from django.apps import AppConfig


class RegistreConfig(AppConfig):
    name = "balise.registre"
    verbose_name = "Registre des systèmes d'IA"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux qui renouvellent les pages en cache

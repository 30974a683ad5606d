from django.apps import AppConfig


class ChartesConfig(AppConfig):
    name = "balise.chartes"
    verbose_name = "Charte de l'IA"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401  (branche les signaux)

from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "balise.indicateurs"
    verbose_name = "Indicateurs et revue"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux

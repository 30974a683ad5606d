from django.apps import AppConfig


class BibliothequeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "balise.bibliotheque"
    verbose_name = "Bibliothèque des cas d'usage"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401 — branche les signaux

from django.apps import AppConfig


class MutualisationConfig(AppConfig):
    name = "balise.mutualisation"
    verbose_name = "Mutualisation"

    def ready(self) -> None:
        from . import fraicheur  # noqa: F401  (branche les signaux)

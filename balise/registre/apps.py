from django.apps import AppConfig


class RegistreConfig(AppConfig):
    name = "balise.registre"
    verbose_name = "Registre des systèmes d'IA"

    def ready(self) -> None:
        from . import cache_public  # noqa: F401 — branche le signal qui invalide le cache public

from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "balise.comptes"
    verbose_name = "Comptes et jetons d'API"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .backends import compter_connexion_manquee

        user_login_failed.connect(compter_connexion_manquee, dispatch_uid="balise-connexions-manquees")

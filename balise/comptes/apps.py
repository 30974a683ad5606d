from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "balise.comptes"
    verbose_name = "Comptes et jetons d'API"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .backends import compter_connexion_manquee
        from .inactivite import noter_connexion

        user_login_failed.connect(compter_connexion_manquee, dispatch_uid="balise-connexions-manquees")
        user_logged_in.connect(noter_connexion, dispatch_uid="balise-activite-connexion")

from django.apps import AppConfig


class ObservabiliteConfig(AppConfig):
    name = "balise.observabilite"
    verbose_name = "Journaux et métriques"

    def ready(self) -> None:
        from django.core.signals import got_request_exception
        from django.db.backends.signals import connection_created

        from . import erreurs

        connection_created.connect(erreurs.surveiller_connexion, dispatch_uid="balise.erreurs_base")
        got_request_exception.connect(erreurs.exception_de_requete, dispatch_uid="balise.erreurs_requete")

from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "balise.comptes"
    verbose_name = "Comptes et jetons d'API"

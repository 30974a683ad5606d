from django.apps import AppConfig


class MetiersConfig(AppConfig):
    name = "balise.metiers"
    verbose_name = "Impact sur les métiers"

from django.apps import AppConfig


class RapportsConfig(AppConfig):
    name = "balise.rapports"
    verbose_name = "Rapports et exports"

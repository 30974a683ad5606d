from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "balise.demo"
    verbose_name = "Données de démonstration"

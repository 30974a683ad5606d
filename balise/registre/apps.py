from django.apps import AppConfig


class RegistreConfig(AppConfig):
    name = "balise.registre"
    verbose_name = "Registre des systèmes d'IA"

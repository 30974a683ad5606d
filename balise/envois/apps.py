from django.apps import AppConfig


class EnvoisConfig(AppConfig):
    name = "balise.envois"
    verbose_name = "Envois des formulaires de création"

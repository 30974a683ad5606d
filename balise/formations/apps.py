from django.apps import AppConfig


class FormationsConfig(AppConfig):
    name = "balise.formations"
    verbose_name = "Formation et acculturation à l'IA"

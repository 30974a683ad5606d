from django.apps import AppConfig


class TravauxConfig(AppConfig):
    name = "balise.travaux"
    verbose_name = "Travaux de fond"

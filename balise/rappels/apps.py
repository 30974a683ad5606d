from django.apps import AppConfig


class RappelsConfig(AppConfig):
    name = "balise.rappels"
    verbose_name = "Rappels : récapitulatifs par courriel et calendrier personnel"

from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "balise.programme"
    verbose_name = "Programme : étapes, feuille de route, sensibilisation, veille"

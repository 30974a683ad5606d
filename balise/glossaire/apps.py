from django.apps import AppConfig


class GlossaireConfig(AppConfig):
    name = "balise.glossaire"
    verbose_name = "Glossaire : les mots de Balise expliqués simplement"

from django.apps import AppConfig


class ReglesUsageConfig(AppConfig):
    name = "balise.regles_usage"
    label = "regles_usage"
    verbose_name = "Règles d'usage de l'IA pour les agents"

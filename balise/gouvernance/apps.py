from django.apps import AppConfig


class GouvernanceConfig(AppConfig):
    name = "balise.gouvernance"
    verbose_name = "Gouvernance : instances, séances, avis, décisions, conditions, portes"

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "balise.organisations"
    verbose_name = "Organisations et rôles"

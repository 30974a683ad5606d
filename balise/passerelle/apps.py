from django.apps import AppConfig


class PasserelleConfig(AppConfig):
    name = "balise.passerelle"
    label = "passerelle"
    verbose_name = "Passerelle d'IA générative"

from django.apps import AppConfig


class ObservatoireConfig(AppConfig):
    name = "balise.observatoire"
    verbose_name = "Observatoire"

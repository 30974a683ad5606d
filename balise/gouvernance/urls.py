"""Les adresses de la gouvernance, sous /o/<identifiant>/ : un module par sujet."""

from django.urls import include, path

app_name = "gouvernance"
urlpatterns = [
    path("", include("balise.gouvernance.urls_instances")),
    path("", include("balise.gouvernance.urls_seances")),
    path("", include("balise.gouvernance.urls_avis")),
    path("", include("balise.gouvernance.urls_a_traiter")),
    path("", include("balise.gouvernance.urls_politique")),
]

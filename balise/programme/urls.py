"""Les adresses du programme, sous /o/<identifiant>/programme/."""

from django.urls import path

from . import vues_programme as vues

app_name = "programme"
urlpatterns = [
    path("programme/", vues.accueil, name="accueil"),
    path("programme/etapes/<slug:etape_id>/", vues.etape, name="etape"),
    path("programme/actions/nouvelle/", vues.action_nouvelle, name="action_nouvelle"),
    path("programme/actions/<int:action_pk>/", vues.action, name="action"),
    path(
        "programme/sensibilisation/nouvelle/", vues.sensibilisation_nouvelle, name="sensibilisation_nouvelle"
    ),
    path("programme/sensibilisation/<int:pk>/", vues.sensibilisation, name="sensibilisation"),
    path(
        "programme/sensibilisation/<int:pk>/suppression/",
        vues.sensibilisation_suppression,
        name="sensibilisation_suppression",
    ),
    path("programme/veille/nouvelle/", vues.note_nouvelle, name="note_nouvelle"),
    path("programme/veille/<int:pk>/", vues.note, name="note"),
    path("programme/veille/<int:pk>/suppression/", vues.note_suppression, name="note_suppression"),
]

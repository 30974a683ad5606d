from django.urls import path

from . import vues_adhesion

app_name = "adhesion"
urlpatterns = [
    path("", vues_adhesion.demander, name="demander"),
    path("hors-liste/", vues_adhesion.demander_hors_liste, name="hors_liste"),
    path("envoyee/", vues_adhesion.envoyee, name="envoyee"),
    path("collectivites/", vues_adhesion.rechercher, name="rechercher"),
    path("demandes/", vues_adhesion.demandes, name="demandes"),
    path("demandes/<int:pk>/", vues_adhesion.demande, name="demande"),
]

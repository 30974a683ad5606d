from django.urls import path

from . import vues

app_name = "chartes"
urlpatterns = [
    path("charte/", vues.accueil, name="accueil"),
    path("charte/principes/", vues.bibliotheque, name="jeux"),
    path("charte/composer/", vues.composer, name="composer"),
    path("charte/versions/<int:pk>/", vues.version, name="version"),
    path("charte/versions/<int:pk>/modifier/", vues.modifier, name="modifier"),
    path("charte/versions/<int:pk>/soumettre/", vues.soumettre, name="soumettre"),
    path("charte/versions/<int:pk>/adopter/", vues.adopter, name="adopter"),
    path("charte/versions/<int:pk>/reprendre/", vues.reprendre, name="reprendre"),
]

"""Adresses des indicateurs (sous /o/<slug>/)."""

from django.urls import URLPattern, path

from . import vues

app_name = "indicateurs"

urlpatterns: list[URLPattern] = [
    path("indicateurs/", vues.liste, name="liste"),
    path("indicateurs/nouveau/", vues.creer, name="creer"),
    path("indicateurs/<int:pk>/", vues.fiche, name="fiche"),
    path("indicateurs/<int:pk>/modifier/", vues.modifier, name="modifier"),
    path("indicateurs/<int:pk>/archiver/", vues.archiver, name="archiver"),
    path("indicateurs/<int:pk>/mesures/", vues.saisir, name="saisir"),
    path("indicateurs/<int:pk>/mesures/<int:mesure_pk>/modifier/", vues.corriger, name="corriger"),
    path("indicateurs/revue/<int:point_pk>/", vues.revue, name="revue"),
]

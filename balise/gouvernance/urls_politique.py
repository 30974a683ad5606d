"""Adresses de la gouvernance : la politique des portes de l'organisation (vues_politique)."""

from django.urls import URLPattern, path

from . import vues_politique as vues

urlpatterns: list[URLPattern] = [
    path("politique-portes/", vues.politique_portes, name="politique_portes"),
    path("politique-portes/adapter/", vues.adapter, name="politique_portes_adapter"),
    path("politique-portes/retour-nationale/", vues.revenir, name="politique_portes_nationale"),
]

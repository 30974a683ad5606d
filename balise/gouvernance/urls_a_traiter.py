"""Adresses de la gouvernance : « À traiter » et la vue d'ensemble de l'organisation (pilotage)."""

from django.urls import URLPattern, path

from . import vues_a_traiter as vues

urlpatterns: list[URLPattern] = [
    path("a-traiter/", vues.a_traiter, name="a_traiter"),
    path("pilotage/", vues.pilotage, name="pilotage"),
]

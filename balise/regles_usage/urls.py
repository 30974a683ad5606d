"""Adresses des règles d'usage (sous /o/<slug>/). Page d'accueil : « regles_usage:accueil »."""

from django.urls import URLPattern, path

from . import vues

app_name = "regles_usage"

urlpatterns: list[URLPattern] = [
    path("regles-usage/", vues.accueil, name="accueil"),
    path("regles-usage/nouvelle/", vues.nouvelle, name="nouvelle"),
    path("regles-usage/prise-de-connaissance/", vues.prise_de_connaissance, name="prise_de_connaissance"),
    path("regles-usage/information/", vues.information, name="information"),
    path("regles-usage/<int:pk>/", vues.version, name="version"),
    path("regles-usage/<int:pk>/depart/", vues.depart, name="depart"),
    path("regles-usage/<int:pk>/reprise-charte/", vues.reprise_charte, name="reprise_charte"),
    path("regles-usage/<int:pk>/publication/", vues.publication, name="publication"),
    path("regles-usage/<int:pk>/regles.pdf", vues.imprimable, name="pdf"),
]

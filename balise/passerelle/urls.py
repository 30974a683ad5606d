"""Adresses de la passerelle (sous /o/<slug>/). Page d'entrée : « passerelle:accueil »."""

from django.urls import URLPattern, path

from . import vues

app_name = "passerelle"

urlpatterns: list[URLPattern] = [
    path("passerelle/", vues.accueil, name="accueil"),
    path("passerelle/premiere-utilisation/", vues.premiere_utilisation, name="premiere_utilisation"),
    path("passerelle/envoi/", vues.envoyer, name="envoi"),
    path("passerelle/conversations/<int:pk>/", vues.conversation, name="conversation"),
    path("passerelle/conversations/<int:pk>/conversation.txt", vues.export, name="export"),
    path("passerelle/cles/", vues.cles, name="cles"),
    path("passerelle/cles/<int:pk>/revocation/", vues.revocation_cle, name="revocation_cle"),
    path("passerelle/catalogue/", vues.catalogue_page, name="catalogue"),
    path("passerelle/catalogue/fournisseurs/", vues.ajout_fournisseur, name="ajout_fournisseur"),
    path("passerelle/catalogue/modeles/", vues.ajout_modele, name="ajout_modele"),
    path("passerelle/catalogue/reglages/", vues.reglages, name="reglages"),
]

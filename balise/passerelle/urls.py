"""Adresses de la passerelle (sous /o/<slug>/). Page d'entrée : « passerelle:accueil »."""

from django.urls import URLPattern, path

from . import vues, vues_usage

app_name = "passerelle"

urlpatterns: list[URLPattern] = [
    path("passerelle/", vues.accueil, name="accueil"),
    path("passerelle/premiere-utilisation/", vues.premiere_utilisation, name="premiere_utilisation"),
    path("passerelle/envoi/", vues.envoyer, name="envoi"),
    path("passerelle/envoi/flux/", vues.envoyer_en_flux, name="envoi_flux"),
    path("passerelle/conversations/<int:pk>/", vues.conversation, name="conversation"),
    path("passerelle/conversations/<int:pk>/conversation.txt", vues.export, name="export"),
    path("passerelle/cles/", vues.cles, name="cles"),
    path("passerelle/cles/<int:pk>/revocation/", vues.revocation_cle, name="revocation_cle"),
    path("passerelle/catalogue/", vues.catalogue_page, name="catalogue"),
    path("passerelle/catalogue/fournisseurs/", vues.ajout_fournisseur, name="ajout_fournisseur"),
    path("passerelle/catalogue/fournisseurs/<int:pk>/", vues.fournisseur, name="fournisseur"),
    path("passerelle/catalogue/modeles/", vues.ajout_modele, name="ajout_modele"),
    path("passerelle/catalogue/modeles-approuves/<int:pk>/", vues.modele, name="modele"),
    path("passerelle/catalogue/reglages/", vues.reglages, name="reglages"),
    path("passerelle/catalogue/quotas/", vues.ajout_quota, name="ajout_quota"),
    path("passerelle/catalogue/quotas/<int:pk>/retrait/", vues.retrait_quota, name="retrait_quota"),
    path("passerelle/usage/", vues_usage.usage_du_mois, name="usage"),
    path("passerelle/usage/fiches/<int:pk>/", vues_usage.usage_de_la_fiche, name="usage_fiche"),
    path("passerelle/sensibles/", vues_usage.requetes_sensibles, name="sensibles"),
    path("passerelle/sensibles/<int:pk>/lecture/", vues_usage.lecture, name="lecture"),
]

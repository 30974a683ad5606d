"""Connexion par le fournisseur d'identité de l'instance (balise/comptes/oidc.py), sous /comptes/oidc/.

Adresses à déclarer chez le fournisseur : `<instance>/comptes/oidc/retour/` (retour après connexion,
`redirect_uri`) et `<instance>/comptes/oidc/fin/` (retour après déconnexion). Sans fournisseur
configuré, chaque vue répond 404.
"""

from django.urls import path

from . import oidc

app_name = "oidc"
urlpatterns = [
    path("connexion/", oidc.Depart.as_view(), name="depart"),
    path("retour/", oidc.Retour.as_view(), name="retour"),
    path("deconnexion/", oidc.deconnexion, name="deconnexion"),
    path("fin/", oidc.fin, name="fin"),
]

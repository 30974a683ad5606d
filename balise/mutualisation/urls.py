"""Adresses de la mutualisation (sous /o/<slug>/)."""

from django.urls import URLPattern, path

from . import views, vues_modeles

app_name = "mutualisation"

urlpatterns: list[URLPattern] = [
    path("mutualisation/", views.accueil, name="accueil"),
    path("mutualisation/proposer/", views.proposer, name="proposer"),
    path("mutualisation/demander/", views.demander, name="demander"),
    path("mutualisation/inviter/", views.inviter, name="inviter"),
    path("mutualisation/portefeuille/", views.portefeuille, name="portefeuille"),
    path("mutualisation/partages/", views.partager_instrument, name="partager_instrument"),
    path("mutualisation/partages/<int:pk>/retirer/", views.retirer_partage, name="retirer_partage"),
    path("mutualisation/partages/<int:pk>/reprendre/", views.reprendre_partage, name="reprendre_partage"),
    path("mutualisation/modeles/", vues_modeles.partager, name="partager_modele"),
    path("mutualisation/modeles/<int:pk>/retirer/", vues_modeles.retirer, name="retirer_modele"),
    path("mutualisation/modeles/<int:pk>/reprendre/", vues_modeles.reprendre, name="reprendre_modele"),
    path("mutualisation/sessions-ouvertes/", views.ouvrir_session, name="ouvrir_session"),
    path("mutualisation/sessions-ouvertes/<int:pk>/fermer/", views.fermer_session, name="fermer_session"),
    path(
        "mutualisation/sessions-ouvertes/<int:pk>/participants/",
        views.compter_participants,
        name="compter_participants",
    ),
    path("mutualisation/conventions/<int:pk>/", views.fiche, name="fiche"),
    path("mutualisation/conventions/<int:pk>/signer/", views.signer, name="signer"),
    path("mutualisation/conventions/<int:pk>/refuser/", views.refuser, name="refuser"),
    path("mutualisation/conventions/<int:pk>/partage/", views.partager, name="partager"),
    path("mutualisation/conventions/<int:pk>/terminer/", views.terminer, name="terminer"),
]

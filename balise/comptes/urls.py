from django.urls import path

from . import views

app_name = "comptes"
urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.Deconnexion.as_view(), name="deconnexion"),
    path("compte/", views.compte, name="compte"),
    path("mot-de-passe/", views.ChangementMotDePasse.as_view(), name="mot_de_passe"),
    path("mot-de-passe-oublie/", views.DemandeReinitialisation.as_view(), name="mot_de_passe_oublie"),
    path(
        "reinitialisation/<uidb64>/<token>/", views.NouveauMotDePasse.as_view(), name="password_reset_confirm"
    ),
    path("activation/<uidb64>/<token>/", views.Activation.as_view(), name="activation"),
    path("jetons/<int:pk>/revocation/", views.revoquer, name="revoquer"),
]

from django.urls import path

from . import views

app_name = "comptes"
urlpatterns = [
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.Deconnexion.as_view(), name="deconnexion"),
    path("compte/", views.compte, name="compte"),
    path("jetons/<int:pk>/revocation/", views.revoquer, name="revoquer"),
]

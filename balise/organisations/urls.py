from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("membres/", views.membres, name="membres"),
    path("membres/<int:pk>/role/", views.changer_role, name="changer_role"),
    path("membres/<int:pk>/retrait/", views.retirer, name="retirer"),
    path("invitations/<int:pk>/annulation/", views.annuler_invitation, name="annuler_invitation"),
    path("parametres/", views.parametres, name="parametres"),
    path("parametres/logo/", views.deposer_logo, name="deposer_logo"),
    path("parametres/logo/retrait/", views.retirer_logo, name="retirer_logo"),
    path("journal/", views.journal, name="journal"),
    path("jetons/", views.jetons, name="jetons"),
    path("jetons/<int:pk>/revocation/", views.revoquer_jeton, name="revoquer_jeton"),
]

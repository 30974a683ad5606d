"""Adresses des rappels : réglages depuis « Mon compte », désabonnement et calendrier par lien secret."""

from django.urls import path

from . import views

app_name = "rappels"
urlpatterns = [
    path("rappels/frequence/", views.frequence, name="frequence"),
    path("rappels/calendrier/", views.renouveler_calendrier, name="renouveler_calendrier"),
    path("rappels/calendrier/revocation/", views.revoquer_calendrier, name="revoquer_calendrier"),
    path("rappels/desabonnement/<str:jeton>/", views.desabonnement, name="desabonnement"),
    path("calendrier/<str:jeton>.ics", views.calendrier, name="calendrier"),
]

from django.urls import path

from . import views

app_name = "metiers"
urlpatterns = [
    path("metiers/referentiel/", views.referentiel, name="referentiel"),
]

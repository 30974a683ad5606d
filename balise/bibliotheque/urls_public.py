from django.urls import path

from . import views

app_name = "bibliotheque_publique"
urlpatterns = [
    path("bibliotheque/", views.public_liste, name="liste"),
    path("bibliotheque/<int:pk>/", views.public_cas, name="cas"),
]

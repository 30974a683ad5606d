from django.urls import path

from . import views

app_name = "rapports"
urlpatterns = [
    path("rapports/", views.accueil, name="accueil"),
    path("rapports/production/", views.lancer, name="lancer"),
    path("rapports/<int:pk>/annulation/", views.annuler, name="annuler"),
    path("rapports/<int:pk>/<str:format_>/", views.telecharger, name="telecharger"),
    path("exports/<str:nom>.<str:format_>", views.exporter, name="exporter"),
]

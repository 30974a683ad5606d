from django.urls import path

from . import views

app_name = "formations"
urlpatterns = [
    path("formations/", views.accueil, name="accueil"),
    path("formations/populations/initialiser/", views.initialiser, name="initialiser"),
    path("formations/populations/nouvelle/", views.population, name="population_nouvelle"),
    path("formations/populations/<int:pk>/", views.population, name="population"),
    path(
        "formations/populations/<int:pk>/suppression/",
        views.population_suppression,
        name="population_suppression",
    ),
    path("formations/offres/", views.offres, name="offres"),
    path("formations/offres/nouvelle/", views.offre, name="offre_nouvelle"),
    path("formations/offres/<int:pk>/", views.offre, name="offre"),
    path("formations/sessions/", views.sessions, name="sessions"),
    path("formations/sessions/nouvelle/", views.session, name="session_nouvelle"),
    path("formations/sessions/<int:pk>/", views.session, name="session"),
    path("formations/sessions/<int:pk>/suppression/", views.session_suppression, name="session_suppression"),
]

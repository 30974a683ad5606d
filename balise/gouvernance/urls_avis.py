"""Adresses de la gouvernance : points d'une séance (votes, avis, décision), décisions et conditions."""

from django.urls import path

from . import vues_avis as v

urlpatterns = [
    path("points/<int:pk>/", v.point, name="point"),
    path("points/<int:pk>/vote/", v.voter, name="voter"),
    path("points/<int:pk>/avis/", v.rendre_avis, name="rendre_avis"),
    path("points/<int:pk>/decision/", v.decision_sur_point, name="decision_sur_point"),
    path("avis/<int:pk>/", v.avis, name="avis"),
    path("registre/<int:pk>/decisions/nouvelle/", v.decision_directe, name="decision_directe"),
    path("decisions/<int:pk>/", v.decision, name="decision"),
    path("conditions/", v.conditions, name="conditions"),
    path("conditions/<int:pk>/", v.condition, name="condition"),
]

"""Adresses de la gouvernance : les séances des instances (programmation, ordre du jour, convocation,
présences, procès-verbal)."""

from django.urls import path

from . import vues_seances as vues

urlpatterns = [
    path("instances/<int:instance_pk>/seances/", vues.liste, name="seances"),
    path("instances/<int:instance_pk>/seances/nouvelle/", vues.creer, name="seance_nouvelle"),
    path("seances/<int:pk>/", vues.detail, name="seance"),
    path("seances/<int:pk>/modifier/", vues.modifier, name="seance_modifier"),
    path("seances/<int:pk>/annulation/", vues.annuler, name="seance_annuler"),
    path("seances/<int:pk>/points/nouveau/", vues.ajouter_point, name="seance_point_nouveau"),
    path(
        "seances/<int:pk>/points/<int:point_pk>/deplacement/",
        vues.deplacer_point,
        name="seance_point_deplacer",
    ),
    path("seances/<int:pk>/points/<int:point_pk>/retrait/", vues.retirer_point, name="seance_point_retirer"),
    path("seances/<int:pk>/points/<int:point_pk>/dossier/", vues.dossier_point, name="seance_point_dossier"),
    path("seances/<int:pk>/convocation/", vues.convoquer, name="seance_convoquer"),
    path("seances/<int:pk>/presences/", vues.presences, name="seance_presences"),
    path("seances/<int:pk>/tenue/", vues.tenue, name="seance_tenue"),
    path("seances/<int:pk>/proces-verbal/", vues.proces_verbal, name="seance_pv"),
    path("seances/<int:pk>/proces-verbal/approbation/", vues.approuver_pv, name="seance_pv_approuver"),
    path("seances/<int:pk>/proces-verbal.pdf", vues.pv_pdf, name="seance_pv_pdf"),
]

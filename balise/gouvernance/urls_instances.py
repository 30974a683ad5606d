"""Adresses de la gouvernance : les instances, leurs collèges et leurs membres (vues_instances)."""

from django.urls import path

from . import vues_instances as vues

urlpatterns = [
    path("instances/", vues.liste, name="instances"),
    path("instances/nouvelle/", vues.nouvelle, name="instance_nouvelle"),
    path("instances/<int:pk>/", vues.fiche, name="instance"),
    path("instances/<int:pk>/modifier/", vues.modifier, name="instance_modifier"),
    path("instances/<int:pk>/historique/", vues.historique, name="instance_historique"),
    path("instances/<int:pk>/archivage/", vues.archiver, name="instance_archiver"),
    path("instances/<int:pk>/restauration/", vues.restaurer, name="instance_restaurer"),
    path("instances/<int:pk>/composition/", vues.composition, name="instance_composition"),
    path("instances/<int:pk>/invitations/", vues.inviter_externe, name="instance_inviter"),
    path(
        "instances/<int:pk>/membres/<int:membre_pk>/",
        vues.modifier_membre,
        name="instance_membre",
    ),
    path(
        "instances/<int:pk>/membres/<int:membre_pk>/retrait/",
        vues.retirer_membre,
        name="instance_retirer_membre",
    ),
    path("instances/<int:pk>/colleges/", vues.ajouter_college, name="instance_ajouter_college"),
    path(
        "instances/<int:pk>/colleges/<int:college_pk>/",
        vues.renommer_college,
        name="instance_renommer_college",
    ),
    path(
        "instances/<int:pk>/colleges/<int:college_pk>/retrait/",
        vues.retirer_college,
        name="instance_retirer_college",
    ),
]

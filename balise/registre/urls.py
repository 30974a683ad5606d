from django.urls import path

from . import views, vues_portable, vues_reprise

app_name = "registre"
urlpatterns = [
    path("registre/", views.liste, name="liste"),
    path("registre/nouveau/", views.creer, name="creer"),
    path("registre/<int:pk>/", views.detail, name="detail"),
    path("registre/<int:pk>/modifier/", views.modifier, name="modifier"),
    path("registre/<int:pk>/stade/", views.changer_stade, name="stade"),
    path("registre/<int:pk>/publication/", views.publier, name="publier"),
    path("registre/<int:pk>/archivage/", views.archiver, name="archiver"),
    path("registre/<int:pk>/historique/", views.historique, name="historique"),
    path("registre/<int:pk>/documents/", views.deposer_document, name="deposer_document"),
    path("registre/<int:pk>/documents/<int:doc_pk>/", views.telecharger_document, name="document"),
    path(
        "registre/<int:pk>/documents/<int:doc_pk>/archivage/",
        views.archiver_document,
        name="archiver_document",
    ),
    path(
        "registre/<int:pk>/documents/<int:doc_pk>/restauration/",
        views.restaurer_document,
        name="restaurer_document",
    ),
    path("portefeuille/", views.portefeuille, name="portefeuille"),
    # Fichier portable d'un système (portable.py, docs/fichier-portable.md).
    path("registre/<int:pk>/portable.json", vues_portable.exporter, name="exporter_portable"),
    path("registre/importer-portable/", vues_portable.importer, name="importer_portable"),
]

# Reprise d'un registre tenu dans un tableur (vues_reprise.py).
_IMPORT = "registre/importations/<int:pk>/"
urlpatterns += [
    path("registre/importer/", vues_reprise.deposer, name="importer"),
    path(_IMPORT, vues_reprise.importation, name="importation"),
    path(_IMPORT + "avancement/", vues_reprise.avancement, name="importation_avancement"),
    path(_IMPORT + "avancement.json", vues_reprise.avancement_json, name="importation_avancement_json"),
    path(_IMPORT + "annulation/", vues_reprise.annulation, name="importation_annulation"),
    path(_IMPORT + "colonnes/", vues_reprise.colonnes, name="importation_colonnes"),
    path(_IMPORT + "apercu/", vues_reprise.apercu, name="importation_apercu"),
    path(_IMPORT + "confirmation/", vues_reprise.confirmation, name="importation_confirmation"),
    path(_IMPORT + "suppression/", vues_reprise.suppression, name="importation_suppression"),
]

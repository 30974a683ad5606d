from django.urls import path

from . import views

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
]

from django.urls import path

from . import views

app_name = "metiers"
urlpatterns = [
    path("metiers/", views.accueil, name="accueil"),
    path("metiers/referentiel/", views.referentiel, name="referentiel"),
    path("metiers/referentiel/metiers/nouveau/", views.metier, name="metier_nouveau"),
    path("metiers/referentiel/metiers/<int:pk>/", views.metier, name="metier"),
    path("metiers/referentiel/metiers/<int:pk>/retirer/", views.retirer_metier, name="retirer_metier"),
    path("metiers/imports/nouveau/", views.deposer, name="deposer"),
    path("metiers/imports/<int:pk>/", views.resultats, name="resultats"),
    path("metiers/imports/<int:pk>/avancement/", views.avancement, name="avancement"),
    path("metiers/imports/<int:pk>/avancement.json", views.avancement_json, name="avancement_json"),
    path("metiers/imports/<int:pk>/annulation/", views.annulation, name="annulation"),
    path("metiers/imports/<int:pk>/relance/", views.relance, name="relance"),
    path("metiers/imports/<int:pk>/colonnes/", views.colonnes, name="colonnes"),
    path("metiers/imports/<int:pk>/revue/", views.revue, name="revue"),
    path("metiers/imports/<int:pk>/rejets/", views.rejets, name="rejets"),
    path("metiers/imports/<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("metiers/imports/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("metiers/imports/<int:pk>/export.csv", views.export_csv, name="export_csv"),
    path("metiers/groupes/suivre/", views.suivre, name="suivre"),
    path("metiers/groupes/<int:pk>/", views.groupe, name="groupe"),
    path("metiers/groupes/<int:groupe_pk>/actions/nouvelle/", views.action, name="action_nouvelle"),
    path("metiers/actions/<int:pk>/", views.action, name="action"),
]

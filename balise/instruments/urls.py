from django.urls import path

from . import views

app_name = "instruments"
urlpatterns = [
    path("instruments/", views.catalogue, name="catalogue"),
    path("instruments/guide/", views.guide, name="guide"),
    path("instruments/<int:pk>/", views.instrument, name="instrument"),
    path("instruments/<int:pk>/definition.yaml", views.instrument_yaml, name="instrument_yaml"),
    path("instruments/<int:pk>/adapter/", views.adapter, name="adapter"),
    path("instruments/<int:pk>/adaptation/", views.adapter_formulaire, name="adapter_formulaire"),
    path("registre/<int:pk>/evaluations/", views.evaluations_du_systeme, name="evaluations_systeme"),
    path("registre/<int:pk>/evaluations/nouvelle/", views.demarrer, name="demarrer"),
    path("registre/<int:pk>/consultations/nouvelle/", views.ouvrir_consultation, name="ouvrir_consultation"),
    path("evaluations/<int:pk>/", views.evaluation, name="evaluation"),
    path("evaluations/<int:pk>/cotation/", views.coter, name="coter"),
    path("evaluations/<int:pk>/journal/", views.journal, name="journal"),
    path("evaluations/<int:pk>/evaluateurs/", views.inviter, name="inviter"),
    path("evaluations/<int:pk>/finalisation/", views.finaliser, name="finaliser"),
    path("evaluations/<int:pk>/reevaluation/", views.reevaluer, name="reevaluer"),
    path("registre/<int:pk>/dossier.pdf", views.dossier, name="dossier"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/fermeture/", views.fermer_consultation, name="fermer_consultation"),
    path("consultations/<int:pk>/qr.svg", views.qr_consultation, name="qr_consultation"),
    path("consultations/<int:pk>/codes/", views.generer_codes, name="generer_codes"),
    path("consultations/<int:pk>/codes/<int:groupe>/", views.ajouter_codes, name="ajouter_codes"),
    path("consultations/<int:pk>/codes/<int:groupe>/retrait/", views.retirer_codes, name="retirer_codes"),
]

from django.contrib import admin
from django.urls import include, path

from balise import vues_generales
from balise.api.api import api
from balise.glossaire import views as glossaire
from balise.instruments import views as instruments_views
from balise.observabilite import acces as metriques
from balise.passerelle.api_openai import api_openai

urlpatterns = [
    path("", vues_generales.accueil, name="accueil"),
    path("accessibilite/", vues_generales.accessibilite, name="accessibilite"),
    path("mentions-legales/", vues_generales.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", vues_generales.donnees_personnelles, name="donnees_personnelles"),
    path("plan-du-site/", vues_generales.plan_du_site, name="plan_du_site"),
    path("healthz", vues_generales.healthz, name="healthz"),
    path("livez", vues_generales.livez, name="livez"),
    # Servie plus tôt, aux seuls exploitants (balise/observabilite/acces.py) ; ici, le 404 des autres.
    path("metriques", metriques.metriques_introuvables, name="metriques"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # API compatible OpenAI de la passerelle : les clients attendent /v1 à la racine (docs/passerelle.md).
    path("v1/", api_openai.urls),
    path("comptes/", include("balise.comptes.urls")),
    path("comptes/oidc/", include("balise.comptes.urls_oidc")),
    path("o/<slug:slug>/", include("balise.organisations.urls")),
    path("o/<slug:slug>/", include("balise.registre.urls")),
    path("o/<slug:slug>/", include("balise.instruments.urls")),
    path("o/<slug:slug>/", include("balise.conformite.urls")),
    path("o/<slug:slug>/", include("balise.metiers.urls")),
    path("o/<slug:slug>/", include("balise.formations.urls")),
    path("o/<slug:slug>/", include("balise.gouvernance.urls")),
    path("o/<slug:slug>/", include("balise.chartes.urls")),
    path("o/<slug:slug>/", include("balise.indicateurs.urls")),
    path("o/<slug:slug>/", include("balise.regles_usage.urls")),
    path("o/<slug:slug>/", include("balise.programme.urls")),
    path("o/<slug:slug>/", include("balise.rapports.urls")),
    path("o/<slug:slug>/", include("balise.bibliotheque.urls")),
    path("o/<slug:slug>/", include("balise.mutualisation.urls")),
    path("o/<slug:slug>/", include("balise.observatoire.urls")),
    path("o/<slug:slug>/", include("balise.passerelle.urls")),
    path("questionnaire/<str:jeton>/", instruments_views.questionnaire, name="questionnaire"),
    path(
        "questionnaire/<str:jeton>/merci/", instruments_views.questionnaire_merci, name="questionnaire_merci"
    ),
    path("participer/", instruments_views.participer, name="participer"),
    path("glossaire/", glossaire.page, name="glossaire"),
    path("invitation/<str:jeton>/", include("balise.organisations.urls_invitation")),
    path("adhesion/", include("balise.organisations.urls_adhesion")),
    path("public/", include("balise.bibliotheque.urls_public")),  # avant /public/<slug>/ du registre
    path("public/", include("balise.observatoire.urls_public")),  # avant /public/<slug>/
    path("public/", include("balise.registre.urls_public")),
    path("public/", include("balise.chartes.urls_public")),
    path("", include("balise.rappels.urls")),
]

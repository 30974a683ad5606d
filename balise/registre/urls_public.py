from django.urls import path

from . import vues_publiques as v

app_name = "public"
urlpatterns = [
    path("schema/", v.schema, name="schema"),
    path("schema/systeme-portable.json", v.schema_portable, name="schema_portable"),
    path("schema/regles-qualification.json", v.schema_regles, name="schema_regles"),
    path("<slug:slug>/", v.registre, name="registre"),
    path("<slug:slug>/couleurs.css", v.couleurs, name="couleurs"),
    path("<slug:slug>/logo.png", v.logo, name="logo"),
    path("<slug:slug>/registre.json", v.registre_json, name="json"),
    path("<slug:slug>/registre.csv", v.registre_csv, name="csv"),
    path("<slug:slug>/systemes/<uuid:uid>/", v.fiche, name="fiche"),
]

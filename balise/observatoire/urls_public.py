from django.urls import path

from . import vues_publiques as v

app_name = "observatoire_public"
urlpatterns = [
    path("observatoire/", v.page, name="page"),
    path("observatoire/observatoire.json", v.donnees_json, name="json"),
    path("observatoire/observatoire.csv", v.donnees_csv, name="csv"),
    path("schema/observatoire.json", v.schema_json, name="schema"),
]

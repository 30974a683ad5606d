"""API de l'observatoire : le dernier relevé, public et sans compte, identique au JSON ouvert
(/public/observatoire/observatoire.json, schéma /public/schema/observatoire.json)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from balise.observatoire import selectors

from .schemas import Erreur

routeur = Router(tags=["Observatoire"])


@routeur.get(
    "",
    auth=None,
    response={200: dict, 404: Erreur},
    summary="L'observatoire anonyme de l'instance",
    description="Les tableaux protégés par le secret statistique du dernier relevé et l'évolution des "
    "totaux : un chiffre couvert par le secret vaut null, avec son motif. Lecture libre, sans compte ; "
    "404 tant que l'observatoire n'a jamais été calculé.",
)
def observatoire(request: HttpRequest) -> HttpResponse | tuple[int, dict[str, Any]]:
    cle = selectors.publie()
    if cle is None:
        return 404, {"message": "L'observatoire n'a pas encore été calculé."}
    adresse = request.build_absolute_uri(reverse("observatoire_public:schema"))
    # Le même texte que le JSON ouvert, sérialisé une fois par relevé (selectors.document_json).
    return HttpResponse(selectors.document_json(cle, adresse), content_type="application/json")

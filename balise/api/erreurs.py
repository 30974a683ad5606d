"""Les erreurs de l'API : toutes au schéma `Erreur` ({"message": …}, en JSON), avec leur statut, en
production comme en mode débogage. Jamais une page HTML, jamais une trace de pile.

Deux couches. Ce qui arrive dans une vue de l'API passe par les gestionnaires d'exceptions de
django-ninja (`api.py`) : données invalides (422), conflit (409), corps illisible (400)… et toute
exception imprévue (500, journalisée). Ce que Django refuse avant ou autour de la vue passe par
`ErreursEnJSON`, premier middleware : adresse inconnue sous /api/ (404), méthode non permise
(405, que django-ninja répond en texte), hôte refusé (400), erreur d'un autre middleware (500). Le
corps trop volumineux y est refusé (413) sur son en-tête Content-Length, avant d'être lu.
"""

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat

PREFIXE = "/api/"
journal = logging.getLogger("balise.api")

MESSAGES = {
    400: "Requête invalide.",
    401: "Authentification requise (jeton ou session).",
    403: "Action non permise.",
    404: "Introuvable.",
    413: "Corps de la requête trop volumineux.",
    500: "Erreur interne : elle est enregistrée dans le journal du serveur. Réessayez plus tard.",
}
# En-têtes d'une réponse d'erreur qui gardent leur sens une fois le corps remplacé.
_ENTETES_GARDES = ("Allow", "WWW-Authenticate", "Retry-After")


def reponse(statut: int, message: str | None = None) -> JsonResponse:
    corps = {"message": message or MESSAGES.get(statut) or HTTPStatus(statut).phrase}
    erreur = JsonResponse(corps, status=statut, content_type="application/json; charset=utf-8")
    erreur["X-Content-Type-Options"] = "nosniff"
    return erreur


def limite_du_corps(request: HttpRequest) -> int:
    """La taille d'un corps recevable : les données d'un formulaire ou d'un document JSON
    (DATA_UPLOAD_MAX_MEMORY_SIZE), plus un document déposé pour un envoi multipart."""
    limite = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
        limite += settings.DOCUMENT_MAX_OCTETS
    return limite


def trop_volumineux(limite: int) -> JsonResponse:
    return reponse(413, f"Corps de la requête trop volumineux : {filesizeformat(limite)} au plus.")


def _longueur(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ErreursEnJSON:
    """Sous /api/ : corps trop volumineux refusé avant lecture (413), et toute réponse d'erreur qui
    n'est pas déjà du JSON remplacée par le schéma `Erreur`, au même statut."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIXE):
            return self.get_response(request)
        limite = limite_du_corps(request)
        if _longueur(request) > limite:
            return trop_volumineux(limite)
        return en_json(request, self.get_response(request))


def en_json(request: HttpRequest, origine: HttpResponse) -> HttpResponse:
    type_ = origine.get("Content-Type", "")
    if origine.status_code < 400 or type_.split(";")[0].strip() == "application/json":
        return origine
    message = None
    if origine.status_code == 405:
        message = f"Méthode {request.method} non permise pour cette adresse (permises : {origine.get('Allow', '')})."
    erreur = reponse(origine.status_code, message)
    for entete in _ENTETES_GARDES:
        if entete in origine:
            erreur[entete] = origine[entete]
    return erreur

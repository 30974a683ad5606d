"""Une ligne de journal et des compteurs par requête (intergiciel `Observation`), une ligne par travail.

Ce qui est écrit est choisi pour ne rien livrer : le **motif** de la route
(`/questionnaire/<str:jeton>/`, jamais le chemin, qui porte des jetons de questionnaire, d'invitation ou
de réinitialisation), ni chaîne de requête, ni cookie, ni en-tête, ni adresse électronique, ni adresse
IP (celle du client est dans le journal du mandataire). L'identifiant d'organisation de l'adresse, lui,
est public (registre public).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from . import metriques

journal_requetes = logging.getLogger("balise.journal.requetes")
journal_travaux = logging.getLogger("balise.journal.travaux")

# Identifiant transmis par le mandataire (nginx : `proxy_set_header X-Request-ID $request_id;`) pour
# relier ses lignes aux nôtres ; tiré au hasard s'il manque ou n'a pas une forme sage.
_IDENTIFIANT_SAGE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def identifiant(request: HttpRequest) -> str:
    transmis = request.META.get("HTTP_X_REQUEST_ID", "")
    return transmis if _IDENTIFIANT_SAGE.fullmatch(transmis) else uuid.uuid4().hex


def route_et_organisation(request: HttpRequest) -> tuple[str, str | None]:
    """Le motif de la route et l'identifiant d'organisation de l'adresse. Une réponse donnée avant la
    résolution (redirection HTTPS, corps trop gros, métriques) est rangée sous sa route si elle en a une."""
    correspondance = getattr(request, "resolver_match", None)
    if correspondance is None:
        try:
            correspondance = resolve(request.path_info)
        except Resolver404:
            return metriques.ROUTE_INCONNUE, None
    slug = correspondance.kwargs.get("slug")
    # Écrit comme une adresse (`/public/<slug:slug>/`) : l'accueil, motif vide, devient `/`.
    return "/" + correspondance.route, str(slug)[:80] if slug else None


class CheminEnRoute(logging.Filter):
    """Pour `django.request`, qui écrit les erreurs 500 : le chemin brut de son message (« Internal Server
    Error: /questionnaire/<un jeton>/ ») devient le motif de la route, et la requête n'est pas recopiée
    dans la ligne."""

    def filter(self, record: logging.LogRecord) -> bool:
        requete = record.__dict__.pop("request", None)
        if isinstance(requete, HttpRequest) and isinstance(record.args, tuple) and len(record.args) == 2:
            record.args = (record.args[0], route_et_organisation(requete)[0])
        return True


class Observation:
    """Juste après les sondes (qu'un répartiteur de charge appelle toutes les secondes : ni comptées ni
    journalisées) : mesure toute la pile, erreurs et redirections comprises."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        debut = time.perf_counter()
        ident = identifiant(request)
        response = self.get_response(request)
        duree = time.perf_counter() - debut
        route, organisation = route_et_organisation(request)
        methode = metriques.methode(request.method or "")
        metriques.REQUETES.labels(route, methode, str(response.status_code)).inc()
        metriques.DUREES.labels(route, methode).observe(duree)
        response["X-Request-ID"] = ident
        if journal_requetes.isEnabledFor(logging.INFO):
            journal_requetes.info(
                "requête",
                extra={
                    "methode": methode,
                    "route": route,
                    "statut": response.status_code,
                    "duree_ms": round(duree * 1000, 1),
                    "organisation": organisation,
                    "requete_id": ident,
                },
            )
        return response


def noter_travail(
    travail: object, issue: str, duree: float, erreur: BaseException | None = None, imprevue: bool = False
) -> None:
    """La ligne d'un travail de fond fini : nature, issue (état final), durée, type d'erreur ; niveau
    ERROR pour une erreur imprévue. Le message d'un échec n'y est pas : il peut citer le contenu d'un
    fichier déposé (il est sur la page et dans /admin/)."""
    if not journal_travaux.isEnabledFor(logging.INFO):
        return
    organisation = getattr(travail, "organisation", None)
    journal_travaux.log(
        logging.ERROR if imprevue else logging.INFO,
        "travail",
        extra={
            "travail": getattr(travail, "pk", None),
            "nature": getattr(travail, "nature", ""),
            "issue": issue,
            "duree_ms": round(duree * 1000, 1),
            "organisation": getattr(organisation, "slug", None),
            "erreur": type(erreur).__name__ if erreur is not None else None,
        },
    )

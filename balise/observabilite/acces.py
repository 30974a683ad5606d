"""`/metriques` : servie aux seules adresses déclarées (`BALISE_METRIQUES_ADRESSES`) ou à qui présente le
jeton (`BALISE_METRIQUES_JETON`, en-tête `Authorization: Bearer …`). Rien de configuré : fermée.

Une demande permise est répondue ici, juste après le calcul de l'adresse réelle du client
(balise/mandataires.py), avant la redirection HTTPS et le contrôle du nom d'hôte : Prometheus collecte
souvent en HTTP sur un réseau interne, à l'adresse IP du serveur, et la réponse ne construit aucune
adresse. Une demande refusée poursuit son chemin comme n'importe quelle adresse, jusqu'à la vue de
`urls.py` qui répond 404 : la même réponse qu'une adresse qui n'existe pas, rien n'est révélé.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from balise import mandataires

from . import metriques

CHEMIN = "/metriques"


def jeton_valable(request: HttpRequest) -> bool:
    attendu = settings.METRIQUES_JETON
    if not attendu:
        return False
    schema, _, presente = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # Comparaison en temps constant : la durée ne dit pas combien de caractères sont justes.
    return schema.lower() == "bearer" and hmac.compare_digest(
        presente.strip().encode("utf-8"), attendu.encode("utf-8")
    )


@lru_cache(maxsize=4)
def _reseaux(valeurs: tuple[str, ...]) -> tuple[mandataires.Reseau, ...]:
    return mandataires.lire_reseaux(valeurs)


def adresse_permise(request: HttpRequest) -> bool:
    reseaux = _reseaux(tuple(settings.METRIQUES_ADRESSES))
    if not reseaux:
        return False
    try:
        adresse = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(adresse, ipaddress.IPv6Address) and adresse.ipv4_mapped is not None:
        adresse = adresse.ipv4_mapped
    return any(adresse in reseau for reseau in reseaux)


def permise(request: HttpRequest) -> bool:
    return (
        settings.METRIQUES_ACTIVES
        and request.method == "GET"
        and (adresse_permise(request) or jeton_valable(request))
    )


class MetriquesPermises:
    """Intergiciel placé juste après `MandatairesDeConfiance` (l'adresse du client y est la vraie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == CHEMIN and permise(request):
            reponse = HttpResponse(metriques.exposition(), content_type=CONTENT_TYPE_LATEST)
            reponse["Cache-Control"] = "no-store"
            return reponse
        return self.get_response(request)


def metriques_introuvables(request: HttpRequest) -> HttpResponse:
    """La route de `urls.py` : seules les demandes refusées y arrivent."""
    raise Http404

"""Les sondes (`/livez`, `/healthz`) répondues avant tout autre intergiciel.

Un répartiteur de charge ou un orchestrateur sonde chaque serveur en HTTP simple, à son adresse IP
(`Host: 10.0.0.5:8000`) : la redirection HTTPS (301) et le contrôle des noms d'hôte (400) feraient
échouer la sonde d'un serveur en bonne santé. Les sondes ne construisent aucune adresse, ne lisent ni
session ni cookie et ne montrent rien : les servir sans ces contrôles ne donne rien à personne.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from balise import vues_generales

SONDES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/livez": vues_generales.livez,
    "/healthz": vues_generales.healthz,
}


class SondesAvantTout:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sonde = SONDES.get(request.path_info)
        if sonde is not None and request.method in ("GET", "HEAD"):
            return sonde(request)
        return self.get_response(request)

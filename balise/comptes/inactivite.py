"""Fin de session après une période d'inactivité (`BALISE_SESSION_INACTIVITE`, 2 heures par défaut).

La durée de vie d'une session (`SESSION_COOKIE_AGE`) est celle de l'inactivité permise : Django fixe
son échéance, en base, dans le cache partagé et sur le cookie, à chaque enregistrement de la session.
Repousser l'échéance à chaque requête (SESSION_SAVE_EVERY_REQUEST) écrirait en base à chaque page,
alors que les pages connectées sont servies sans aucune requête SQL. Ici, la session garde l'heure de
sa dernière activité et n'est réenregistrée que quand elle date de plus d'un « pas » (un dixième de
l'inactivité permise, 5 minutes au plus) : une écriture par personne active toutes les 5 minutes au
plus. La session expire donc entre `inactivite - pas` et `inactivite` après la dernière requête.

L'heure de dernière activité est aussi vérifiée à chaque requête : une session plus ancienne que
l'inactivité permise est fermée, même si son échéance enregistrée est plus lointaine (session ouverte
avant un changement du réglage).
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

CLE = "balise_activite"


def pas_de_rafraichissement(inactivite: int) -> int:
    """Au plus une écriture de la session par ce nombre de secondes (un dixième, 5 minutes au plus)."""
    return max(1, min(300, inactivite // 10))


def noter_connexion(sender: object, request: HttpRequest, user: object, **kwargs: Any) -> None:
    """Signal `user_logged_in` : l'activité est notée dans la session qu'enregistre la connexion, sans
    écriture de plus à la première page."""
    if request is not None and hasattr(request, "session"):
        request.session[CLE] = int(time.time())


class ActiviteDeSession:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Sans cookie de session, rien à lire (et la session n'est pas ouverte pour rien).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            inactivite = settings.SESSION_INACTIVITE
            maintenant = int(time.time())
            derniere = request.session.get(CLE, maintenant)
            if maintenant - derniere > inactivite:
                logout(request)
            elif CLE not in request.session or maintenant - derniere >= pas_de_rafraichissement(inactivite):
                request.session[CLE] = maintenant  # réenregistrée en fin de requête : échéance repoussée
        return self.get_response(request)

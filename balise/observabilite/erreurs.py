"""Compter les erreurs de la base de données et des caches, là où elles se produisent.

- Base : chaque connexion ouverte reçoit un `execute_wrapper` qui compte toute `DatabaseError` d'une
  requête SQL (dans une page comme dans le processus de fond), et les requêtes web qui échouent sur
  une erreur de base levée ailleurs (connexion impossible, validation de transaction) sont comptées
  par le signal `got_request_exception`. Une erreur comptée est marquée : jamais deux fois.
- Caches : les backends de `CACHES["partage"]` sont ceux de Django enrobés par `ErreursComptees`
  (réseau, Redis, disque) ; le cache en mémoire de chaque processus ne peut pas échouer ainsi.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from redis.exceptions import RedisError

from balise.cache_fichiers import CacheDeFichiers

from .metriques import ERREURS_BASE, ERREURS_CACHE

_COMPTEE = "_balise_erreur_comptee"


def _premiere_fois(erreur: BaseException) -> bool:
    if getattr(erreur, _COMPTEE, False):
        return False
    # Une exception sans __dict__ serait comptée à chaque passage : aucune de celles comptées ici.
    with contextlib.suppress(AttributeError):
        setattr(erreur, _COMPTEE, True)
    return True


def compter_base(erreur: BaseException) -> None:
    if isinstance(erreur, DatabaseError) and _premiere_fois(erreur):
        ERREURS_BASE.labels(type(erreur).__name__).inc()


def _executer(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict) -> Any:
    try:
        return execute(sql, params, many, context)
    except DatabaseError as erreur:
        compter_base(erreur)
        raise


def surveiller_connexion(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Signal `connection_created` : l'enveloppe est posée une fois par objet de connexion (Django le
    garde d'une connexion réseau à la suivante)."""
    if _executer not in connection.execute_wrappers:
        connection.execute_wrappers.append(_executer)


def exception_de_requete(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """Signal `got_request_exception` : une erreur de base qui fait échouer une requête (500)."""
    erreur = sys.exc_info()[1]
    if erreur is not None:
        compter_base(erreur)


# Ce qu'un cache peut lever quand son stockage fait défaut (un `ValueError` d'`incr` sur une clé
# absente, lui, est une réponse normale).
ERREURS_DE_CACHE: tuple[type[BaseException], ...] = (RedisError, OSError)
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


def _comptee(origine: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(origine)
    def operation(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return origine(self, *args, **kwargs)
        except ERREURS_DE_CACHE as erreur:
            if _premiere_fois(erreur):
                ERREURS_CACHE.labels(self.alias_metriques, type(erreur).__name__).inc()
            raise

    return operation


def avec_erreurs_comptees(classe: type) -> type:
    """Sous-classe du backend `classe` dont chaque opération compte ses erreurs de stockage."""
    methodes: dict[str, object] = {nom: _comptee(getattr(classe, nom)) for nom in OPERATIONS}
    methodes["alias_metriques"] = "partage"
    return type(classe.__name__ + "Comptee", (classe,), methodes)


RedisComptee = avec_erreurs_comptees(RedisCache)
FichiersComptee = avec_erreurs_comptees(CacheDeFichiers)

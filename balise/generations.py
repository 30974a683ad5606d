"""Générations : ce que Balise garde en cache est rangé sous le jeton de génération de sa portée.

Une portée est une organisation (ses pages, sa fiche) ou une personne (son compte, ses adhésions).
Son jeton est gardé dans le cache partagé par tous les processus (alias `partage` : fichiers sur une
machine, Redis sur plusieurs) ; ce qui dépend de ses données est gardé dans le cache de chaque
processus sous une clé qui contient le jeton.
Tout enregistrement qui touche une portée renouvelle son jeton (modules `fraicheur` des
applications) : les entrées d'avant deviennent inatteignables. Rien n'est à invalider, et une page,
des droits, une personne lus en cache sont ceux de la génération en cours, sans requête.

Le jeton est renouvelé tout de suite, puis encore une fois après la validation de la transaction :
une lecture faite entre les deux voit la base d'avant, et range son résultat sous un jeton aussitôt
abandonné. Un jeton absent (cache vidé, expiré, évincé) est tiré à neuf, et tout est relu en base.
Sa durée borne l'effet d'une modification faite hors de Balise, sans signal (SQL à la main,
`QuerySet.update`) : 5 minutes pour les droits d'une personne, 24 heures pour les pages.
"""

import hashlib
import secrets
from collections.abc import Callable
from typing import Literal, TypeVar

from django.core.cache import cache as cache_local
from django.core.cache import caches
from django.db import transaction

T = TypeVar("T")
Genre = Literal["organisation", "personne"]
DUREES: dict[Genre, int] = {"organisation": 24 * 3600, "personne": 5 * 60}
_ABSENT = object()


def _cle_jeton(genre: Genre, pk: int) -> str:
    return f"generation:{genre}:{pk}"


def jeton(genre: Genre, pk: int) -> str:
    """Le jeton de génération en cours de la portée, tiré à neuf s'il manque."""
    partage = caches["partage"]
    valeur = partage.get(_cle_jeton(genre, pk))
    if valeur is None:
        # Posé avant toute lecture en base : ce qui sera lu ensuite est au moins aussi récent que lui.
        valeur = secrets.token_hex(8)
        partage.set(_cle_jeton(genre, pk), valeur, DUREES[genre])
    return valeur


def lire(genre: Genre, pk: int, nature: str, produire: Callable[[], T]) -> T:
    """La valeur gardée pour cette portée à sa génération en cours, ou produite puis gardée. `None` se
    garde comme une autre valeur (une adhésion absente, par exemple)."""
    brut = f"{nature}|{genre}|{pk}|{jeton(genre, pk)}"
    # Empreinte : la nature peut contenir une chaîne de requête arbitrairement longue.
    cle = "gen:" + hashlib.blake2b(brut.encode(), digest_size=20).hexdigest()
    valeur = cache_local.get(cle, _ABSENT)
    if valeur is _ABSENT:
        valeur = produire()
        cache_local.set(cle, valeur, DUREES[genre])
    return valeur


def renouveler(genre: Genre, *pks: int) -> None:
    """Renouvelle le jeton des portées désignées : ce qui est gardé pour elles sera relu en base."""
    if not pks:
        return

    def poser() -> None:
        caches["partage"].set_many({_cle_jeton(genre, pk): secrets.token_hex(8) for pk in pks}, DUREES[genre])

    poser()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(poser)

"""Chiffrer ce qui ne doit se lire qu'ici : les clés des fournisseurs, le contenu des requêtes sensibles.

Fernet (AES-128-CBC et HMAC-SHA256, bibliothèque `cryptography`) : un texte chiffré est authentifié, une
altération se voit au déchiffrement. Les clés viennent de `BALISE_CLES_CHIFFREMENT` (la première chiffre,
toutes déchiffrent : on ajoute une clé en tête pour la faire tourner). Sans cette variable, une clé est
dérivée de `SECRET_KEY` (HKDF) ; elle reste la dernière à déchiffrer quand des clés sont données, pour
qu'on puisse passer à des clés explicites sans rien perdre (docs/exploitation.md).
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretIllisible(Exception):
    """Le texte chiffré a été altéré, ou la clé qui l'a chiffré n'est plus parmi les clés connues."""


def _derivee(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"balise-passerelle-v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@functools.cache
def _fernet(cles: tuple[str, ...], secret: str) -> MultiFernet:
    """La première clé chiffre ; toutes déchiffrent, la clé dérivée de SECRET_KEY en dernier : passer
    à des clés explicites ne rend pas illisible ce qui a été chiffré avant."""
    return MultiFernet([*(Fernet(c.encode()) for c in cles), Fernet(_derivee(secret))])


def _courant() -> MultiFernet:
    return _fernet(tuple(settings.CLES_CHIFFREMENT), settings.SECRET_KEY)


def chiffrer(texte: str) -> bytes:
    return _courant().encrypt(texte.encode())


def dechiffrer(jeton: bytes) -> str:
    try:
        return _courant().decrypt(bytes(jeton)).decode()
    except InvalidToken as erreur:
        raise SecretIllisible(
            "Ce contenu chiffré ne peut plus être lu avec les clés de cette instance."
        ) from erreur

"""Codes de participation : tirage, saisie tolérante et empreinte à clé (docs/instruments.md).

Un code est fait pour être recopié d'une feuille : 12 caractères de la base 32 de Crockford (ni I,
L, O ni U, qui se confondent avec 1, 0 ou V), montrés en trois groupes de quatre. 32¹² ≈ 1,2 × 10¹⁸
codes possibles (60 bits) : même avec un million de codes en circulation, il faudrait en moyenne
plus d'un milliard d'essais pour tomber sur l'un d'eux, et les essais refusés sont limités.

Balise ne garde d'un code que son empreinte HMAC-SHA256 par une clé dérivée de `SECRET_KEY` : une
copie de la base ne permet pas de retrouver les codes en les essayant tous (60 bits se parcourent
sur des cartes graphiques ; pas sans la clé).
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LONGUEUR = 12
# Ce qu'une personne tape à la place d'un caractère de l'alphabet (règle de Crockford).
_EQUIVALENTS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATEURS = str.maketrans("", "", "-‐‑‒–—_.")
# Au-delà, ce n'est pas une saisie de code : refusé sans autre calcul.
SAISIE_MAX = 40
EXEMPLE = "7KQ2-M9XD-4HTP"
_SEL = "balise.instruments.codes"


def tirer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LONGUEUR))


def afficher(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, LONGUEUR, 4))


def normaliser(saisie: str) -> str | None:
    """Le code tel que Balise le connaît, ou None si la saisie ne peut pas en être un.

    Accepte minuscules, espaces, tirets et les confusions courantes (O pour 0, I ou L pour 1).
    """
    if not isinstance(saisie, str) or len(saisie) > SAISIE_MAX:
        return None
    code = "".join(saisie.split()).translate(_SEPARATEURS).upper().translate(_EQUIVALENTS)
    if len(code) != LONGUEUR or any(c not in ALPHABET for c in code):
        return None
    return code


def empreinte(code: str, secret: str | bytes | None = None) -> str:
    return salted_hmac(_SEL, code, secret=secret, algorithm="sha256").hexdigest()


def empreintes_possibles(code: str) -> list[str]:
    """L'empreinte sous la clé courante et sous les anciennes (`SECRET_KEY_FALLBACKS`) : changer de clé
    n'invalide pas les codes déjà imprimés tant que l'ancienne reste parmi les clés de repli."""
    return [empreinte(code, cle) for cle in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]

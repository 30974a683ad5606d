"""Clés de contrôle des identifiants français et européens (fonctions pures).

Un motif seul prend pour un NIR ou un IBAN n'importe quel nombre de la bonne longueur : la clé écarte
les numéros de dossier, montants et références qui leur ressemblent.
"""

from __future__ import annotations

import re

_NON_ALPHANUMERIQUE = re.compile(r"[^0-9A-Za-z]")

# Longueur de l'IBAN par pays (registre SWIFT) : l'Union européenne, l'EEE, la Suisse, Monaco et le
# Royaume-Uni, ceux qu'un courrier de collectivité cite. Un pays absent n'est pas reconnu.
LONGUEURS_IBAN: dict[str, int] = {
    "AT": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
}

SIREN_LA_POSTE = "356000000"


def compacter(valeur: str) -> str:
    """La valeur sans espaces, points ni tirets, en capitales."""
    return _NON_ALPHANUMERIQUE.sub("", valeur).upper()


def cle_nir(treize_chiffres: str) -> int:
    """Clé d'un NIR : 97 moins le reste de la division par 97 ; la Corse (2A, 2B) compte 19 et 18."""
    numero = treize_chiffres.upper().replace("2A", "19", 1).replace("2B", "18", 1)
    return 97 - int(numero) % 97


def nir_valide(valeur: str) -> bool:
    """Numéro d'inscription au répertoire (sécurité sociale) de 15 caractères, clé comprise."""
    nir = compacter(valeur)
    if len(nir) != 15 or not re.fullmatch(r"[1-478]\d{4}(?:\d{2}|2[AB])\d{8}", nir):
        return False
    return cle_nir(nir[:13]) == int(nir[13:])


def iban_valide(valeur: str) -> bool:
    """IBAN d'un pays connu, de sa longueur, dont le reste modulo 97 vaut 1 (ISO 13616)."""
    iban = compacter(valeur)
    if LONGUEURS_IBAN.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    chiffres = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(chiffres) % 97 == 1


def luhn_valide(chiffres: str) -> bool:
    """Formule de Luhn : un chiffre sur deux doublé depuis la droite, somme multiple de 10."""
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if rang % 2 == 1:
            chiffre = chiffre * 2 - 9 if chiffre > 4 else chiffre * 2
        total += chiffre
    return total % 10 == 0


def siren_valide(valeur: str) -> bool:
    siren = compacter(valeur)
    return len(siren) == 9 and siren.isdigit() and luhn_valide(siren)


def siret_valide(valeur: str) -> bool:
    """SIRET : Luhn, ou pour La Poste (un SIREN, des milliers d'établissements, numérotés hors Luhn) une
    somme des chiffres multiple de 5 (règle de l'Insee)."""
    siret = compacter(valeur)
    if len(siret) != 14 or not siret.isdigit() or not siren_valide(siret[:9]):
        return False
    if luhn_valide(siret):
        return True
    return siret.startswith(SIREN_LA_POSTE) and sum(int(c) for c in siret) % 5 == 0

"""Échéances des mesures d'un indicateur (fonctions pures, sans base ni horloge).

Une mesure porte sur une période (un mois, un trimestre, un semestre, une année civils) désignée par
son premier jour. La mesure d'une période est due dès la fin de celle-ci, et en retard
`DELAI_SAISIE` jours plus tard. La prochaine période à mesurer suit la dernière mesurée ; sans mesure,
c'est la période où l'indicateur a été créé. Source de la logique de suivi à fréquence fixe : graine 001,
encart AFNOR Spec 2314 (001:1023–1026, fréquences de suivi ; 001:1059, revue trimestrielle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

# Jours laissés après la fin d'une période pour saisir sa mesure.
DELAI_SAISIE = 15


class Frequence(StrEnum):
    MENSUELLE = "mensuelle"
    TRIMESTRIELLE = "trimestrielle"
    SEMESTRIELLE = "semestrielle"
    ANNUELLE = "annuelle"


class Sens(StrEnum):
    AU_MOINS = "au_moins"  # la valeur doit atteindre la cible ou la dépasser
    AU_PLUS = "au_plus"  # la valeur ne doit pas dépasser la cible


MOIS = {
    Frequence.MENSUELLE: 1,
    Frequence.TRIMESTRIELLE: 3,
    Frequence.SEMESTRIELLE: 6,
    Frequence.ANNUELLE: 12,
}


def periode_de(jour: date, frequence: str) -> date:
    """Le premier jour de la période (civile) qui contient `jour`."""
    n = MOIS[Frequence(frequence)]
    mois = (jour.month - 1) // n * n + 1
    return date(jour.year, mois, 1)


def decaler(periode: date, frequence: str, pas: int = 1) -> date:
    """Le premier jour de la période `pas` rangs après (ou avant, si négatif) celle de `periode`."""
    n = MOIS[Frequence(frequence)]
    depart = periode_de(periode, frequence)
    total = depart.year * 12 + depart.month - 1 + pas * n
    return date(total // 12, total % 12 + 1, 1)


def fin_de_periode(periode: date, frequence: str) -> date:
    """Le dernier jour de la période."""
    return decaler(periode, frequence) - timedelta(days=1)


def libelle_periode(periode: date, frequence: str) -> str:
    f = Frequence(frequence)
    if f is Frequence.MENSUELLE:
        return f"{periode.month:02d}/{periode.year}"
    if f is Frequence.TRIMESTRIELLE:
        return f"T{(periode.month - 1) // 3 + 1} {periode.year}"
    if f is Frequence.SEMESTRIELLE:
        return f"S{(periode.month - 1) // 6 + 1} {periode.year}"
    return str(periode.year)


@dataclass(frozen=True)
class Etat:
    periode: date  # la prochaine période à mesurer
    echeance: date  # date limite de saisie de sa mesure
    due: bool  # la période est finie : sa mesure peut et doit être saisie
    en_retard: bool  # la date limite est passée


def prochaine(frequence: str, derniere: date | None, debut: date) -> date:
    """La prochaine période à mesurer : celle qui suit la dernière mesurée ; sans mesure, celle de `debut`."""
    if derniere is None:
        return periode_de(debut, frequence)
    return decaler(derniere, frequence)


def etat(frequence: str, derniere: date | None, debut: date, aujourd_hui: date) -> Etat:
    periode = prochaine(frequence, derniere, debut)
    fin = fin_de_periode(periode, frequence)
    echeance = fin + timedelta(days=DELAI_SAISIE)
    return Etat(periode, echeance, due=aujourd_hui > fin, en_retard=aujourd_hui > echeance)


def atteinte(valeur: Decimal | float, cible: Decimal | float, sens: str) -> bool:
    """La valeur tient-elle la cible ? « Au moins » : valeur ≥ cible ; « au plus » : valeur ≤ cible."""
    if Sens(sens) is Sens.AU_MOINS:
        return valeur >= cible
    return valeur <= cible


def ecart(valeur: Decimal, cible: Decimal, sens: str) -> Decimal:
    """De combien la valeur manque la cible (0 si elle la tient), toujours positif ou nul."""
    if atteinte(valeur, cible, sens):
        return Decimal(0)
    return abs(valeur - cible)

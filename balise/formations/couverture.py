"""Couverture de formation d'une population (fonctions pures, sans base).

On ne connaît pas les personnes (aucun nom n'est exigé) : une session compte des participations par
population. Le nombre de « formés » est donc le cumul des participations, plafonné à l'effectif : la
couverture ne dépasse jamais 100 %, et ne décroît jamais dans le temps pour un effectif donné.
Un effectif inconnu ou nul ne donne aucun taux (on ne divise pas par zéro, on ne devine pas).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Couverture:
    effectif: int | None  # None : ni tableau des effectifs ni saisie
    participations: int  # cumul des participations comptées
    cible: int  # en %, 0..100

    def __post_init__(self) -> None:
        if self.effectif is not None and self.effectif < 0:
            raise ValueError("Un effectif ne peut pas être négatif.")
        if self.participations < 0:
            raise ValueError("Un nombre de participants ne peut pas être négatif.")
        if not 0 <= self.cible <= 100:
            raise ValueError("La cible de couverture est un pourcentage entre 0 et 100.")

    @property
    def formes(self) -> int:
        """Agents comptés comme formés : les participations, jamais plus que l'effectif."""
        if self.effectif is None:
            return self.participations
        return min(self.participations, self.effectif)

    @property
    def taux(self) -> float | None:
        """Part formée de la population, en %, au dixième ; None sans effectif connu et non nul."""
        if not self.effectif:
            return None
        return round(100 * self.formes / self.effectif, 1)

    @property
    def atteinte(self) -> bool:
        """La cible est atteinte (comparaison exacte en entiers, sans arrondi)."""
        if not self.effectif:
            return False
        return self.formes * 100 >= self.cible * self.effectif

    @property
    def manquants(self) -> int | None:
        """Agents à former encore pour atteindre la cible (arrondi au supérieur)."""
        if self.effectif is None:
            return None
        requis = -(-self.cible * self.effectif // 100)
        return max(0, requis - self.formes)


def cumul_a_la_date(participations: Iterable[tuple[date, int]], a_la_date: date) -> int:
    """Les participations des sessions tenues jusqu'à `a_la_date` incluse."""
    total = 0
    for jour, nombre in participations:
        if nombre < 0:
            raise ValueError("Un nombre de participants ne peut pas être négatif.")
        if jour <= a_la_date:
            total += nombre
    return total


@dataclass(frozen=True)
class Point:
    jour: date
    formes: int
    taux: float | None


def serie(effectif: int | None, participations: Iterable[tuple[date, int]], cible: int) -> list[Point]:
    """La couverture après chaque date de session, dans l'ordre du temps (un point par date)."""
    par_jour: dict[date, int] = {}
    for jour, nombre in participations:
        if nombre < 0:
            raise ValueError("Un nombre de participants ne peut pas être négatif.")
        par_jour[jour] = par_jour.get(jour, 0) + nombre
    points, cumul = [], 0
    for jour in sorted(par_jour):
        cumul += par_jour[jour]
        c = Couverture(effectif, cumul, cible)
        points.append(Point(jour, c.formes, c.taux))
    return points


def toutes_atteintes(couvertures: Iterable[Couverture]) -> bool | None:
    """Vrai si chaque population atteint sa cible ; None s'il n'y en a aucune (rien à juger)."""
    liste = list(couvertures)
    if not liste:
        return None
    return all(c.atteinte for c in liste)

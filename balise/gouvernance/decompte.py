"""Le décompte des votes d'un point (fonctions pures) : par collège et au total, selon la règle de vote
de l'instance (`Instance.RegleVote`).

- majorité simple : plus de voix pour que contre parmi les suffrages exprimés (les abstentions ne
  comptent pas) ; à égalité, la proposition n'est pas adoptée (partage des voix) ;
- majorité absolue : plus de la moitié des membres votants présents votent pour (une abstention pèse
  donc comme un vote contre) ;
- deux tiers : au moins deux tiers des suffrages exprimés sont pour ;
- consensus : l'instance recherche l'accord sans vote formel ; le décompte est montré à titre
  indicatif et ne décide rien.

Aucun suffrage exprimé : rien n'est adopté. Le décompte éclaire l'avis, il ne le rend pas : c'est
l'instructeur qui consigne l'avis et ses motifs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .models import Instance, Vote


class Issue(StrEnum):
    ADOPTEE = "adoptee"
    REJETEE = "rejetee"
    PARTAGE = "partage"  # égalité des voix en majorité simple
    SANS_SUFFRAGE = "sans_suffrage"
    INDICATIF = "indicatif"  # consensus : le décompte ne décide pas


LIBELLES = {
    Issue.ADOPTEE: "Proposition adoptée (avis favorable à la majorité requise)",
    Issue.REJETEE: "Proposition non adoptée (majorité requise non atteinte)",
    Issue.PARTAGE: "Partage égal des voix : la proposition n'est pas adoptée",
    Issue.SANS_SUFFRAGE: "Aucun suffrage exprimé",
    Issue.INDICATIF: "Recherche du consensus : décompte indicatif, sans valeur de décision",
}

SANS_COLLEGE = "Sans collège"


@dataclass(frozen=True)
class Compte:
    pour: int = 0
    contre: int = 0
    abstention: int = 0

    @property
    def exprimes(self) -> int:
        return self.pour + self.contre

    @property
    def votants(self) -> int:
        return self.pour + self.contre + self.abstention

    def plus(self, sens: str) -> Compte:
        return Compte(
            self.pour + (sens == Vote.Sens.POUR),
            self.contre + (sens == Vote.Sens.CONTRE),
            self.abstention + (sens == Vote.Sens.ABSTENTION),
        )


@dataclass(frozen=True)
class Decompte:
    regle: str
    par_college: list[tuple[str, Compte]]
    total: Compte
    presents: int  # membres votants présents, base de la majorité absolue
    issue: Issue

    @property
    def libelle(self) -> str:
        return LIBELLES[self.issue]

    @property
    def decisif(self) -> bool:
        return self.issue is not Issue.INDICATIF


def issue(regle: str, total: Compte, presents: int) -> Issue:
    """Ce que donne le total des votes sous la règle de l'instance."""
    if regle == Instance.RegleVote.CONSENSUS:
        return Issue.INDICATIF
    if regle == Instance.RegleVote.MAJORITE_ABSOLUE:
        base = max(presents, total.votants)
        if base == 0:
            return Issue.SANS_SUFFRAGE
        return Issue.ADOPTEE if 2 * total.pour > base else Issue.REJETEE
    if total.exprimes == 0:
        return Issue.SANS_SUFFRAGE
    if regle == Instance.RegleVote.DEUX_TIERS:
        return Issue.ADOPTEE if 3 * total.pour >= 2 * total.exprimes else Issue.REJETEE
    if regle == Instance.RegleVote.MAJORITE_SIMPLE:
        if total.pour == total.contre:
            return Issue.PARTAGE
        return Issue.ADOPTEE if total.pour > total.contre else Issue.REJETEE
    raise ValueError(f"Règle de vote inconnue : {regle!r}")


def decompter(votes: Iterable[tuple[str | None, str]], regle: str, presents: int = 0) -> Decompte:
    """`votes` : (nom du collège ou None, sens) de chaque vote. `presents` : membres votants présents
    (majorité absolue) ; à défaut d'une présence notée, le nombre de votants en tient lieu."""
    colleges: dict[str, Compte] = {}
    total = Compte()
    for college, sens in votes:
        if sens not in Vote.Sens.values:
            raise ValueError(f"Vote inconnu : {sens!r}")
        nom = college or SANS_COLLEGE
        colleges[nom] = colleges.get(nom, Compte()).plus(sens)
        total = total.plus(sens)
    return Decompte(regle, list(colleges.items()), total, presents, issue(regle, total, presents))

"""Lire les indicateurs : liste avec leur état, tableau d'une période (pour le rapport annuel), fiche
d'un système, revue d'une séance. Nombre de requêtes constant quel que soit le nombre d'indicateurs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from . import echeances
from .models import Ecart, Indicateur, Mesure

__all__ = ["Indicateur", "Suivi", "avec_derniere", "suivi", "tableau"]

if TYPE_CHECKING:
    from balise.organisations.models import Organisation
    from balise.registre.models import SystemeIA


def avec_derniere(qs: QuerySet[Indicateur]) -> QuerySet[Indicateur]:
    """Chaque indicateur porte `derniere_periode`, `derniere_valeur`, `derniere_pk` (sa dernière mesure)
    et `derniere_analysee` (un écart a déjà été analysé en revue pour cette mesure)."""
    dernieres = Mesure.objects.filter(indicateur=OuterRef("pk")).order_by("-periode", "-pk")
    return qs.annotate(
        derniere_periode=Subquery(dernieres.values("periode")[:1]),
        derniere_valeur=Subquery(dernieres.values("valeur")[:1]),
        derniere_pk=Subquery(dernieres.values("pk")[:1]),
        derniere_analysee=Exists(Ecart.objects.filter(mesure_id=OuterRef("derniere_pk"))),
    )


@dataclass(frozen=True)
class Suivi:
    """Un indicateur, l'état de ses échéances et de sa dernière mesure."""

    indicateur: Indicateur
    etat: echeances.Etat
    derniere_valeur: Decimal | None
    derniere_periode: date | None
    atteinte: bool | None  # None : aucune mesure

    @property
    def hors_cible(self) -> bool:
        return self.atteinte is False


def suivi(indicateur: Indicateur, aujourd_hui: date) -> Suivi:
    """L'état d'un indicateur annoté par `avec_derniere`."""
    derniere = getattr(indicateur, "derniere_periode", None)
    valeur = getattr(indicateur, "derniere_valeur", None)
    etat = echeances.etat(indicateur.frequence, derniere, indicateur.cree_le.date(), aujourd_hui)
    atteinte = None if valeur is None else echeances.atteinte(valeur, indicateur.cible, indicateur.sens)
    return Suivi(indicateur, etat, valeur, derniere, atteinte)


def actifs(organisation: Organisation) -> QuerySet[Indicateur]:
    return (
        Indicateur.objects.filter(organisation=organisation, archive_le__isnull=True)
        .select_related("systeme", "responsable")
        .order_by("systeme__nom", "intitule", "pk")
    )


def liste(organisation: Organisation, aujourd_hui: date) -> list[Suivi]:
    """Les indicateurs actifs de l'organisation et leur état : une requête."""
    return [suivi(i, aujourd_hui) for i in avec_derniere(actifs(organisation))]


def du_systeme(systeme: SystemeIA, aujourd_hui: date) -> list[Suivi]:
    """Les indicateurs d'un système (fiche du registre) : une requête."""
    qs = Indicateur.objects.filter(systeme=systeme, archive_le__isnull=True).order_by("intitule", "pk")
    return [suivi(i, aujourd_hui) for i in avec_derniere(qs)]


@dataclass
class Ligne:
    """Un indicateur sur une période : ses mesures, la dernière, et si elle tient la cible."""

    indicateur: Indicateur
    mesures: list[Mesure] = field(default_factory=list)

    @property
    def derniere(self) -> Mesure | None:
        return self.mesures[-1] if self.mesures else None

    @property
    def derniere_valeur(self) -> Decimal | None:
        return self.derniere.valeur if self.derniere else None

    @property
    def cible_atteinte(self) -> bool | None:
        d = self.derniere
        return (
            None if d is None else echeances.atteinte(d.valeur, self.indicateur.cible, self.indicateur.sens)
        )

    @property
    def hors_cible(self) -> list[Mesure]:
        i = self.indicateur
        return [m for m in self.mesures if not echeances.atteinte(m.valeur, i.cible, i.sens)]


def tableau(organisation: Organisation, debut: date, fin: date) -> list[Ligne]:
    """Les indicateurs actifs de l'organisation avec leurs mesures des périodes commencées entre `debut`
    et `fin` (inclus), la dernière valeur et si elle tient sa cible : deux requêtes, quel que soit le
    nombre d'indicateurs et de mesures. Appelé par le rapport annuel et la revue en séance."""
    mesures = Mesure.objects.filter(periode__gte=debut, periode__lte=fin).order_by("periode", "pk")
    qs = actifs(organisation).prefetch_related(Prefetch("mesures", queryset=mesures, to_attr="de_la_periode"))
    return [Ligne(i, list(i.de_la_periode)) for i in qs]


def mesures(indicateur: Indicateur) -> list[Mesure]:
    return list(indicateur.mesures.select_related("saisie_par").order_by("periode", "pk"))


def ecarts_du_point(point_id: int) -> dict[int, Ecart]:
    """Les écarts analysés à un point de revue, par mesure : une requête."""
    return {e.mesure_id: e for e in Ecart.objects.filter(point_id=point_id).select_related("responsable")}

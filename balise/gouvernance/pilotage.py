"""La vue d'ensemble d'une organisation (pilotage) : pour la direction générale et les élus.

Les systèmes et leur stade, ce qui est en retard par responsable (obligations et conditions, même
règle du retard que partout : `avec_retard`), les décisions des `MOIS_DECISIONS` derniers mois et les
systèmes qui attendent une décision. Requêtes en nombre constant (six), quels que soient les volumes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count

from balise.comptes.models import Utilisateur
from balise.conformite.categories import Categorie, categories
from balise.registre.cycle_de_vie import ORDRE
from balise.registre.cycle_de_vie import Stade as StadeCycle
from balise.registre.models import SystemeIA

from .a_traiter import conditions_a_suivre, obligations_a_suivre, systemes_en_attente_de_decision
from .models import Decision

if TYPE_CHECKING:
    from balise.organisations.models import Organisation

# Les décisions montrées : celles des six derniers mois.
MOIS_DECISIONS = 6


@dataclass(frozen=True)
class RetardsResponsable:
    responsable: Utilisateur | None  # None : obligations ou conditions sans responsable désigné
    obligations: int
    conditions: int

    @property
    def total(self) -> int:
        return self.obligations + self.conditions


@dataclass(frozen=True)
class LigneSysteme:
    """Une ligne du tableau des systèmes : lue par `values_list` (cinq cents lignes sans instancier de
    modèle), avec la catégorie AI Act de sa qualification actuelle (conformite/categories.py). L'état
    de porte se lit dans la liste du registre, qui le calcule page par page."""

    pk: int
    nom: str
    service: str
    stade: str
    libelle_stade: str
    categorie: Categorie

    @property
    def interdite(self) -> bool:
        return self.categorie == Categorie.INTERDITE

    @property
    def badge(self) -> str:
        """La classe DSFR du badge de stade (mêmes couleurs que registre/_badge_stade.html)."""
        return _BADGES.get(self.stade, "fr-badge--info")


_BADGES = {
    "production": "fr-badge--success",
    "abandon": "fr-badge--error",
    "arret": "fr-badge--error",
    "experimentation": "fr-badge--new",
}


@dataclass(frozen=True)
class Stade:
    code: str
    libelle: str
    nombre: int


@dataclass(frozen=True)
class Pilotage:
    aujourd_hui: date
    depuis: date  # début de la période des décisions montrées
    systemes: list[LigneSysteme]  # actifs, par stade (ordre du cycle de vie) puis par nom
    stades: list[Stade]  # les stades qui comptent au moins un système
    retards: list[RetardsResponsable]  # le plus en retard d'abord
    decisions: list[Decision]  # la plus récente d'abord
    en_attente_de_decision: list[SystemeIA]

    @property
    def pratiques_interdites(self) -> list[LigneSysteme]:
        return [s for s in self.systemes if s.interdite]

    @property
    def total_retards(self) -> int:
        return sum(r.total for r in self.retards)


def mois_avant(jour: date, mois: int) -> date:
    """Le même jour, `mois` mois plus tôt (le dernier jour du mois s'il est plus court)."""
    annee, rang = divmod(jour.year * 12 + jour.month - 1 - mois, 12)
    return date(annee, rang + 1, min(jour.day, calendar.monthrange(annee, rang + 1)[1]))


def _retards(organisation: Organisation, aujourd_hui: date) -> list[RetardsResponsable]:
    obligations = dict(
        obligations_a_suivre(organisation, aujourd_hui)
        .filter(echeance__lt=aujourd_hui)
        .order_by()
        .values_list("responsable")
        .annotate(n=Count("pk"))
    )
    conditions = dict(
        conditions_a_suivre(organisation, aujourd_hui)
        .filter(echeance__lt=aujourd_hui)
        .order_by()
        .values_list("responsable")
        .annotate(n=Count("pk"))
    )
    ids = {pk for pk in (*obligations, *conditions) if pk is not None}
    personnes = (
        {u.pk: u for u in Utilisateur.objects.filter(pk__in=ids).only("email", "first_name", "last_name")}
        if ids
        else {}
    )
    retards = [
        RetardsResponsable(
            personnes.get(pk) if pk is not None else None, obligations.get(pk, 0), conditions.get(pk, 0)
        )
        for pk in {*obligations, *conditions}
    ]
    return sorted(
        retards,
        key=lambda r: (r.responsable is None, -r.total, r.responsable.nom_affiche if r.responsable else ""),
    )


def pilotage(organisation: Organisation, aujourd_hui: date) -> Pilotage:
    rang: dict[str, int] = {str(code): i for i, code in enumerate(ORDRE)}
    libelles = dict(StadeCycle.choices)
    lignes = (
        SystemeIA.objects.filter(organisation=organisation)
        .actifs()
        .order_by("nom", "pk")
        .values_list("pk", "nom", "service", "stade")
    )
    lues = list(lignes)
    par_categorie = categories(pk for pk, *_ in lues)
    systemes = sorted(
        (
            LigneSysteme(pk, nom, service, stade, libelles.get(stade, stade), par_categorie[pk])
            for pk, nom, service, stade in lues
        ),
        key=lambda s: rang.get(s.stade, len(rang)),
    )
    comptes: dict[str, int] = {}
    for s in systemes:
        comptes[s.stade] = comptes.get(s.stade, 0) + 1
    stades = [Stade(code, code.label, comptes[code]) for code in ORDRE if code in comptes]
    depuis = mois_avant(aujourd_hui, MOIS_DECISIONS)
    decisions = list(
        Decision.objects.filter(organisation=organisation, decidee_le__gte=depuis)
        .select_related("systeme", "instance")
        .only(
            "sens",
            "decidee_le",
            "deliberation_numero",
            "deliberation_date",
            "systeme__nom",
            "systeme__organisation_id",
            "instance__nom",
            "instance__organisation_id",
        )
        .order_by("-decidee_le", "-pk")
    )
    return Pilotage(
        aujourd_hui=aujourd_hui,
        depuis=depuis,
        systemes=systemes,
        stades=stades,
        retards=_retards(organisation, aujourd_hui),
        decisions=decisions,
        en_attente_de_decision=list(systemes_en_attente_de_decision(organisation)),
    )

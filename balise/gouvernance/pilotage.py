"""La vue d'ensemble d'une organisation (pilotage) : pour la direction générale et les élus.

Les systèmes actifs comptés par stade et par catégorie AI Act (chaque case mène à la liste du
registre filtrée, qui montre aussi la porte de chacun), les pratiques interdites, ce qui est en
retard par responsable (obligations et conditions, même règle du retard que partout :
`avec_retard`), les décisions des `MOIS_DECISIONS` derniers mois et les systèmes qui attendent une
décision. Requêtes en nombre constant (six), quels que soient les volumes.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count

from balise.comptes.models import Utilisateur
from balise.conformite.categories import GRAVITE, Categorie, categories
from balise.registre.cycle_de_vie import ORDRE
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


# Les colonnes du tableau croisé : de la plus grave à la moins grave, puis les systèmes non qualifiés.
COLONNES: list[Categorie] = [*GRAVITE, Categorie.NON_QUALIFIE]


@dataclass(frozen=True)
class Cellule:
    categorie: Categorie
    nombre: int


@dataclass(frozen=True)
class Stade:
    """Une ligne du tableau croisé : un stade et ses systèmes actifs par catégorie AI Act."""

    code: str
    libelle: str
    cellules: list[Cellule]  # dans l'ordre de COLONNES

    @property
    def nombre(self) -> int:
        return sum(c.nombre for c in self.cellules)


@dataclass(frozen=True)
class SystemeInterdit:
    pk: int
    nom: str


@dataclass(frozen=True)
class Pilotage:
    aujourd_hui: date
    depuis: date  # début de la période des décisions montrées
    stades: list[Stade]  # les stades qui comptent au moins un système actif, dans l'ordre du cycle de vie
    pratiques_interdites: list[SystemeInterdit]  # par nom
    retards: list[RetardsResponsable]  # le plus en retard d'abord
    decisions: list[Decision]  # la plus récente d'abord
    en_attente_de_decision: list[SystemeIA]

    @property
    def colonnes(self) -> list[Categorie]:
        return COLONNES

    @property
    def total_systemes(self) -> int:
        return sum(s.nombre for s in self.stades)

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


def _tableau(organisation: Organisation) -> tuple[list[Stade], list[SystemeInterdit]]:
    """Les systèmes actifs comptés par stade et par catégorie (taille fixe quel que soit leur nombre :
    chaque case mène à la liste du registre filtrée), et ceux qui relèvent d'une pratique interdite."""
    lus = list(
        SystemeIA.objects.filter(organisation=organisation)
        .actifs()
        .order_by("nom", "pk")
        .values_list("pk", "nom", "stade")
    )
    par_categorie = categories(pk for pk, _, _ in lus)
    comptes = Counter((stade, par_categorie[pk]) for pk, _, stade in lus)
    presents = {stade for _, _, stade in lus}
    stades = [
        Stade(code, code.label, [Cellule(c, comptes[(code, c)]) for c in COLONNES])
        for code in ORDRE
        if code in presents
    ]
    interdits = [SystemeInterdit(pk, nom) for pk, nom, _ in lus if par_categorie[pk] == Categorie.INTERDITE]
    return stades, interdits


def pilotage(organisation: Organisation, aujourd_hui: date) -> Pilotage:
    stades, interdits = _tableau(organisation)
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
        stades=stades,
        pratiques_interdites=interdits,
        retards=_retards(organisation, aujourd_hui),
        decisions=decisions,
        en_attente_de_decision=list(systemes_en_attente_de_decision(organisation)),
    )

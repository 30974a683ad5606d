"""Lectures de la formation. `couverture(organisation, a_la_date)` est le sélecteur public (rapport
annuel, API, pages) : un nombre de requêtes qui ne dépend ni du nombre de populations ni de celui
des sessions.

Effectifs : une population liée au tableau des effectifs (tous les agents, ou un groupe exposé suivi)
prend son chiffre dans le tableau PROTÉGÉ par le secret statistique (balise/metiers/selectors.py).
Une case masquée ne donne ni effectif ni taux (le taux permettrait de retrouver l'effectif) : on
retombe alors sur l'effectif saisi par l'organisation, s'il y en a un.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from balise.metiers import selectors as metiers
from balise.metiers.models import GroupeSuivi, ImportEffectifs
from balise.metiers.secret import Case, TableauProtege
from balise.organisations.models import Organisation

from . import referentiel
from .couverture import Couverture, Point, serie
from .models import OffreFormation, Participation, Population, SessionFormation

CODE_OBLIGATION = "former_agents_ia"  # balise/conformite/regles/qualification-v1.yaml (AI Act, art. 4)

Origine = Literal["tableau", "saisi", "secret", "inconnu"]


@dataclass(frozen=True)
class Effectif:
    valeur: int | None
    origine: Origine  # d'où vient le chiffre : le tableau des effectifs, la saisie, ou rien

    @property
    def libelle_origine(self) -> str:
        return {
            "tableau": "tableau des effectifs",
            "saisi": "saisi",
            "secret": "secret statistique",
            "inconnu": "à saisir",
        }[self.origine]


@dataclass(frozen=True)
class LigneCouverture:
    population: Population
    effectif: Effectif
    couverture: Couverture
    points: list[Point] = field(default_factory=list)

    @property
    def formes(self) -> int:
        return self.couverture.formes

    @property
    def cible(self) -> int:
        return self.couverture.cible

    @property
    def taux(self) -> float | None:
        return self.couverture.taux

    @property
    def atteinte(self) -> bool:
        return self.couverture.atteinte


class _Tableaux:
    """Les tableaux protégés du dernier import, lus à la demande une seule fois chacun (au plus un
    par dimension : un nombre de requêtes borné quel que soit le nombre de populations)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._import: ImportEffectifs | None | Literal[False] = False
        self._tableaux: dict[str, TableauProtege] = {}

    @property
    def imp(self) -> ImportEffectifs | None:
        if self._import is False:
            self._import = metiers.dernier_import(self.organisation)
        return self._import

    def _tableau(self, dimension: str) -> TableauProtege | None:
        if self.imp is None:
            return None
        if dimension not in self._tableaux:
            seuil = self.organisation.seuil_secret
            if dimension == "":
                self._tableaux[dimension] = metiers.synthese(self.imp, seuil)
            elif dimension == GroupeSuivi.METIER:
                self._tableaux[dimension] = metiers.metiers(self.imp, seuil).tableau
            else:
                self._tableaux[dimension] = metiers.croisement(self.imp, dimension, seuil)
        return self._tableaux[dimension]

    def total(self) -> Case | None:
        tableau = self._tableau("")
        return tableau.total if tableau else None

    def case(self, groupe: GroupeSuivi) -> Case | None:
        tableau = self._tableau(groupe.dimension)
        if tableau is None:
            return None
        cle = (groupe.niveau, metiers.AGENTS) if not groupe.dimension else (groupe.valeur, groupe.niveau)
        return tableau.cases.get(cle, metiers.AUCUN)


def _effectif(population: Population, tableaux: _Tableaux) -> Effectif:
    case = None
    if population.tous_les_agents:
        case = tableaux.total()
    elif population.groupe is not None:
        case = tableaux.case(population.groupe)
    if case is not None and not case.masquee and case.effectif:
        return Effectif(case.effectif, "tableau")
    if population.effectif_saisi is not None:
        return Effectif(population.effectif_saisi, "saisi")
    if case is not None and case.masquee:
        return Effectif(None, "secret")
    return Effectif(None, "inconnu")


def populations(organisation: Organisation) -> QuerySet[Population]:
    return (
        Population.objects.filter(organisation=organisation)
        .select_related("groupe")
        .prefetch_related(Prefetch("systemes", to_attr="systemes_lus"))
    )


def population_de(organisation: Organisation, pk: int) -> Population:
    return get_object_or_404(Population.objects.select_related("groupe"), organisation=organisation, pk=pk)


def _participations(organisation: Organisation, a_la_date: date) -> dict[int, list[tuple[date, int]]]:
    """population → [(date, participants)] des sessions tenues jusqu'à `a_la_date` : une requête."""
    lignes = (
        # Les participations de ses populations, y compris aux sessions qu'une mutualisante ouvre à ses
        # membres (balise/mutualisation/sessions.py) : ses agents y ont été formés.
        Participation.objects.filter(
            population__organisation=organisation,
            session__date__lte=a_la_date,
        )
        .values("population_id", "session__date", "session__palier", "population__palier")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    resultat: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for ligne in lignes:
        # Ne compte, pour une population, que les sessions du palier qu'elle vise.
        if ligne["session__palier"] == ligne["population__palier"]:
            resultat[ligne["population_id"]].append((ligne["session__date"], ligne["n"] or 0))
    return resultat


def couverture(organisation: Organisation, a_la_date: date) -> list[LigneCouverture]:
    """Par population : effectif (et son origine), formés, cible, taux et série dans le temps, à la date
    donnée. Requêtes : populations (2, avec les systèmes), participations (1), tableau des effectifs
    (1 pour le dernier import, puis 1 par dimension de tableau utilisée : au plus 7)."""
    tableaux = _Tableaux(organisation)
    participations = _participations(organisation, a_la_date)
    lignes = []
    for population in populations(organisation):
        effectif = _effectif(population, tableaux)
        parts = participations.get(population.pk, [])
        total = sum(n for _, n in parts)
        lignes.append(
            LigneCouverture(
                population,
                effectif,
                Couverture(effectif.valeur, total, population.cible),
                serie(effectif.valeur, parts, population.cible),
            )
        )
    return lignes


# --- Groupes exposés (balise/metiers) et leur couverture -------------------------------------


@dataclass(frozen=True)
class GroupeCouvert:
    groupe: GroupeSuivi
    case: Case | None  # None : aucun tableau des effectifs importé
    lignes: list[LigneCouverture]  # les populations rattachées à ce groupe

    @property
    def secret(self) -> bool:
        return self.case is not None and self.case.masquee

    @property
    def formes(self) -> int | None:
        """Masqué avec la case : compter des formés d'un groupe secret en dirait trop sur lui."""
        if self.secret or not self.lignes:
            return None
        return sum(li.formes for li in self.lignes)

    @property
    def taux(self) -> float | None:
        if self.secret or self.case is None or not self.case.effectif or self.formes is None:
            return None
        return Couverture(self.case.effectif, self.formes, 0).taux


def groupes_exposes(organisation: Organisation, lignes: list[LigneCouverture]) -> list[GroupeCouvert]:
    """Les groupes exposés suivis, les plus exposés d'abord (ordre des niveaux du référentiel INET),
    chacun avec sa case protégée et la couverture des populations qui lui sont rattachées."""
    rang = {n: i for i, n in enumerate(metiers.niveaux())}
    groupes = sorted(
        metiers.groupes_suivis(organisation), key=lambda g: (rang.get(g.niveau, 99), g.dimension, g.valeur)
    )
    tableaux = _Tableaux(organisation)
    par_groupe: dict[int, list[LigneCouverture]] = defaultdict(list)
    for ligne in lignes:
        if ligne.population.groupe_id:
            par_groupe[ligne.population.groupe_id].append(ligne)
    return [GroupeCouvert(g, tableaux.case(g), par_groupe.get(g.pk, [])) for g in groupes]


# --- Sessions et offres ------------------------------------------------------------------------


def sessions(organisation: Organisation) -> QuerySet[SessionFormation]:
    return (
        SessionFormation.objects.filter(organisation=organisation)
        .select_related("offre")
        .annotate(participants=Sum("participations__nombre"))
    )


def session_de(organisation: Organisation, pk: int) -> SessionFormation:
    return get_object_or_404(
        SessionFormation.objects.select_related("offre").prefetch_related("participations__population"),
        organisation=organisation,
        pk=pk,
    )


def offres(organisation: Organisation) -> QuerySet[OffreFormation]:
    return OffreFormation.objects.filter(organisation=organisation)


def offre_de(organisation: Organisation, pk: int) -> OffreFormation:
    return get_object_or_404(OffreFormation, organisation=organisation, pk=pk)


# --- Preuves de l'obligation de formation (AI Act, art. 4) --------------------------------------


@dataclass(frozen=True)
class PreuvesFormation:
    lignes: list[LigneCouverture]  # les populations qui utilisent le système
    sessions: list[SessionFormation]  # les sessions qui ont compté des participants de ces populations

    @property
    def atteinte(self) -> bool | None:
        if not self.lignes:
            return None
        return all(li.atteinte for li in self.lignes)


def preuves(organisation: Organisation, systeme_id: int, a_la_date: date) -> PreuvesFormation:
    lignes = [
        li
        for li in couverture(organisation, a_la_date)
        if any(s.pk == systeme_id for s in li.population.systemes_lus)  # type: ignore[attr-defined]
    ]
    ids = [li.population.pk for li in lignes]
    tenues = Participation.objects.filter(population__in=ids).values("session_id")
    liste = (
        list(sessions(organisation).filter(pk__in=tenues, date__lte=a_la_date).order_by("-date", "-pk")[:50])
        if ids
        else []
    )
    return PreuvesFormation(lignes, liste)


def titre_palier(code: str) -> str:
    palier = referentiel.populations().palier(code)
    return palier.titre if palier else code

"""Le portefeuille agrégé d'une mutualisante : pour chaque membre dont la convention ouvre l'accès
aujourd'hui et qui partage son portefeuille, ses systèmes par stade, ses obligations en retard et les
participations de ses agents aux formations. Quatre requêtes, quel que soit le nombre de membres
(regroupements par organisation) : bench/portefeuille_mutualise.py le mesure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from balise.conformite.models import ObligationSuivie
from balise.formations.models import Participation
from balise.organisations.models import Organisation
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import SystemeIA

from . import selectors
from .models import Convention


@dataclass
class LigneMembre:
    convention: Convention
    par_stade: Counter[str] = field(default_factory=Counter)
    obligations_en_retard: int = 0
    participations: int = 0

    @property
    def systemes(self) -> int:
        return sum(self.par_stade.values())

    @property
    def part_formee(self) -> int | None:
        """Participations aux formations rapportées à l'effectif déclaré (en %, borné à 100) ; sans
        effectif déclaré, rien (on ne devine pas un dénominateur)."""
        agents = self.convention.membre.nombre_agents
        if not agents:
            return None
        return min(100, round(100 * self.participations / agents))


@dataclass(frozen=True)
class Totaux:
    systemes: int
    par_stade: list[int]
    obligations_en_retard: int
    participations: int


@dataclass(frozen=True)
class Portefeuille:
    lignes: list[LigneMembre]
    stades: list[tuple[str, str]]
    non_partages: int  # membres sous convention ouverte qui ne partagent pas leur portefeuille

    @property
    def rangees(self) -> list[tuple[LigneMembre, list[int]]]:
        """Chaque membre et ses nombres de systèmes par stade, dans l'ordre du cycle de vie."""
        return [(ligne, [ligne.par_stade[code] for code, _ in self.stades]) for ligne in self.lignes]

    @property
    def totaux(self) -> Totaux:
        total: Counter[str] = Counter()
        for ligne in self.lignes:
            total.update(ligne.par_stade)
        return Totaux(
            systemes=sum(total.values()),
            par_stade=[total[code] for code, _ in self.stades],
            obligations_en_retard=sum(ligne.obligations_en_retard for ligne in self.lignes),
            participations=sum(ligne.participations for ligne in self.lignes),
        )


def portefeuille(mutualisante: Organisation, jour: date) -> Portefeuille:
    ouvertes = selectors.ouvertes(mutualisante, jour)  # 1 requête (membres compris)
    partagees = [c for c in ouvertes if c.partage_portefeuille]
    lignes = {c.membre_id: LigneMembre(c) for c in partagees}
    membres = list(lignes)
    systemes = (
        SystemeIA.objects.filter(organisation__in=membres, archive_le__isnull=True)
        .values("organisation_id", "stade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for s in systemes:
        lignes[s["organisation_id"]].par_stade[s["stade"]] = s["n"]
    retards = (
        ObligationSuivie.objects.filter(
            organisation__in=membres, applicable=True, systeme__archive_le__isnull=True
        )
        .avec_retard(jour)
        .values("organisation_id")
        .annotate(n=Count("pk", filter=Q(en_retard=True)))
        .order_by()
    )
    for r in retards:
        lignes[r["organisation_id"]].obligations_en_retard = r["n"]
    participations = (
        Participation.objects.filter(session__organisation__in=membres, session__date__lte=jour)
        .values("session__organisation_id")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    for p in participations:
        lignes[p["session__organisation_id"]].participations = p["n"] or 0
    return Portefeuille(
        lignes=list(lignes.values()),
        stades=list(Stade.choices),
        non_partages=len(ouvertes) - len(partagees),
    )

"""Lectures des séances : listes d'une instance, page de séance (en nombre de requêtes constant, quel que
soit le nombre de points et de membres), objets proposés à l'ordre du jour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from balise.chartes.models import VersionCharte
from balise.conformite.models import Qualification
from balise.instruments.models import Evaluation
from balise.registre.models import SystemeIA

from . import droits
from .models import Instance, Membre, Point, Presence, Seance
from .quorum import Quorum, quorum

if TYPE_CHECKING:
    from balise.organisations.models import Adhesion, Organisation


def instance(organisation: Organisation, pk: int) -> Instance:
    trouvee = Instance.objects.filter(organisation=organisation, pk=pk).first()
    if trouvee is None:
        raise Http404("Instance introuvable.")
    return trouvee


def instance_visible(adhesion: Adhesion, pk: int) -> Instance:
    """L'instance, si la personne peut la voir ; sinon 404 (un membre externe ne sait pas ce qui
    existe hors des instances où il siège)."""
    trouvee = instance(adhesion.organisation, pk)
    if not droits.peut_voir(adhesion, trouvee):
        raise Http404("Instance introuvable.")
    return trouvee


def seance(organisation: Organisation, pk: int) -> Seance:
    trouvee = (
        Seance.objects.select_related(
            "instance", "instance__organisation", "pv_approuve_par", "travail_convocation"
        )
        .filter(instance__organisation=organisation, pk=pk)
        .first()
    )
    if trouvee is None:
        raise Http404("Séance introuvable.")
    return trouvee


def seance_visible(adhesion: Adhesion, pk: int) -> Seance:
    trouvee = seance(adhesion.organisation, pk)
    if not droits.peut_voir(adhesion, trouvee.instance):
        raise Http404("Séance introuvable.")
    return trouvee


def point(seance: Seance, pk: int) -> Point:
    trouve = Point.objects.filter(seance=seance, pk=pk).first()
    if trouve is None:
        raise Http404("Point introuvable.")
    return trouve


@dataclass(frozen=True)
class Seances:
    a_venir: list[Seance]
    passees: list[Seance]


def seances(instance: Instance) -> Seances:
    """Les séances d'une instance : à venir (la plus proche d'abord), passées (la plus récente d'abord)."""
    maintenant = timezone.now()
    toutes = list(Seance.objects.filter(instance=instance).order_by("debut", "pk"))
    return Seances(
        a_venir=[s for s in toutes if s.debut >= maintenant],
        passees=[s for s in reversed(toutes) if s.debut < maintenant],
    )


def points(seance: Seance) -> list[Point]:
    return list(
        Point.objects.filter(seance=seance)
        .select_related("systeme", "evaluation__instrument", "qualification", "version_charte", "avis")
        .order_by("ordre", "pk")
    )


@dataclass(frozen=True)
class LignePresence:
    membre: Membre
    presence: Presence | None

    @property
    def etat(self) -> str:
        if self.presence is None:
            return ""
        if self.presence.present:
            return "present"
        return "excuse" if self.presence.excuse else "absent"

    @property
    def libelle(self) -> str:
        return {"present": "Présent", "excuse": "Excusé", "absent": "Absent"}.get(self.etat, "Non renseigné")


def feuille(seance: Seance) -> list[LignePresence]:
    """Les membres de l'instance (actuels, et ceux retirés depuis qui ont une présence notée), avec
    leur présence à la séance."""
    presences = Presence.objects.filter(seance=seance)
    membres = (
        Membre.objects.filter(instance_id=seance.instance_id)
        .select_related("utilisateur", "college")
        .prefetch_related(Prefetch("presences", queryset=presences, to_attr="ici"))
    )
    lignes = []
    for m in membres:
        ici = m.ici[0] if m.ici else None  # attribut posé par Prefetch(to_attr)
        if m.retire_le is None or ici is not None:
            lignes.append(LignePresence(m, ici))
    return lignes


def quorum_de(seance: Seance, lignes: list[LignePresence]) -> Quorum:
    votants = [ligne for ligne in lignes if ligne.membre.votant]
    presents = sum(1 for ligne in votants if ligne.etat == "present")
    return quorum(presents, len(votants), seance.instance.quorum_pourcent)


def organisations_inscriptibles(instance: Instance, jour: date) -> list[Organisation]:
    """Les organisations dont les systèmes s'inscrivent à l'ordre du jour de l'instance : la sienne et,
    pour l'instance d'une mutualisante (un COPIL des DGS de ses communes, seed 001:959), chaque membre
    qui lui partage son portefeuille sous une convention ouverte ce jour-là."""
    from balise.mutualisation.selectors import partagees

    return [instance.organisation] + [c.membre for c in partagees(instance.organisation, jour)]


@dataclass(frozen=True)
class Propositions:
    """Ce que l'on peut inscrire à l'ordre du jour : objets des organisations inscriptibles."""

    organisation_id: int = 0
    systemes: list[SystemeIA] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    chartes: list[VersionCharte] = field(default_factory=list)


def propositions(instance: Instance, jour: date) -> Propositions:
    org = instance.organisation_id
    ids = [o.pk for o in organisations_inscriptibles(instance, jour)]
    return Propositions(
        organisation_id=org,
        systemes=list(
            SystemeIA.objects.filter(organisation_id__in=ids, archive_le__isnull=True)
            .select_related("organisation")
            .order_by("organisation__nom", "nom")
        ),
        evaluations=list(
            Evaluation.objects.filter(organisation_id__in=ids, systeme__archive_le__isnull=True)
            .select_related("systeme__organisation", "instrument")
            .order_by("systeme__organisation__nom", "systeme__nom", "-cree_le")[:200]
        ),
        qualifications=list(
            Qualification.objects.filter(organisation_id__in=ids, systeme__archive_le__isnull=True)
            .select_related("systeme__organisation")
            .order_by("systeme__organisation__nom", "systeme__nom", "-cree_le")[:200]
        ),
        chartes=list(
            VersionCharte.objects.filter(
                organisation_id=org,
                statut__in=(VersionCharte.Statut.BROUILLON, VersionCharte.Statut.SOUMISE),
            ).order_by("-numero")[:50]
        ),
    )

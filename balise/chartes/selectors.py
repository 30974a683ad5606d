"""Lectures de la charte. `adoptee(organisation)` est le sélecteur public des autres applications
(règles d'usage) : la version adoptée, ou None, en une requête ; `en_vigueur_le` celle d'une date passée
(rapport annuel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from balise.gouvernance.models import Avis, Point, Seance

from .models import VersionCharte

if TYPE_CHECKING:
    from datetime import date

    from balise.organisations.models import Organisation


def adoptee(organisation: Organisation) -> VersionCharte | None:
    """La version adoptée de la charte (principes, engagements, lignes_rouges, perimetre, adoptee_le,
    mode_adoption, deliberation_numero), ou None. Une requête."""
    return VersionCharte.objects.filter(
        organisation=organisation, statut=VersionCharte.Statut.ADOPTEE
    ).first()


def en_vigueur_le(organisation: Organisation, jour: date) -> VersionCharte | None:
    """La version qui était adoptée et pas encore remplacée le `jour` (un rapport sur une année passée
    montre la charte de cette année-là), ou None. Une requête."""
    return (
        VersionCharte.objects.filter(
            organisation=organisation,
            statut__in=[VersionCharte.Statut.ADOPTEE, VersionCharte.Statut.REMPLACEE],
            adoptee_le__lte=jour,
        )
        .filter(Q(remplacee_le__isnull=True) | Q(remplacee_le__date__gt=jour))
        .order_by("-adoptee_le", "-numero")
        .first()
    )


def versions(organisation: Organisation) -> list[VersionCharte]:
    return list(
        VersionCharte.objects.filter(organisation=organisation).select_related("cree_par").order_by("-numero")
    )


def version(organisation: Organisation, pk: int) -> VersionCharte:
    trouvee = (
        VersionCharte.objects.select_related("cree_par").filter(organisation=organisation, pk=pk).first()
    )
    if trouvee is None:
        raise Http404("Version de la charte introuvable.")
    return trouvee


@dataclass(frozen=True)
class Consultation:
    """Un point « charte » d'une séance, et l'avis que l'instance y a rendu (ou None)."""

    point: Point
    avis: Avis | None


def consultations(v: VersionCharte, publiques: bool = False) -> list[Consultation]:
    """Les séances où la version a été soumise, avec l'avis rendu. `publiques` : seulement les avis
    marqués publics (le point reste montré sans son avis). Une requête."""
    points = (
        Point.objects.filter(version_charte=v)
        .select_related("seance__instance", "avis")
        .order_by("seance__debut", "pk")
    )
    resultat = []
    for p in points:
        avis = getattr(p, "avis", None)
        if avis is not None and publiques and not avis.public:
            avis = None
        resultat.append(Consultation(p, avis))
    return resultat


def seances_proposees(organisation: Organisation) -> list[Seance]:
    """Les séances à venir ou en cours de convocation des instances de l'organisation (non archivées)."""
    return list(
        Seance.objects.filter(
            instance__organisation=organisation,
            instance__archive_le__isnull=True,
            statut__in=(Seance.Statut.PREVUE, Seance.Statut.CONVOQUEE),
        )
        .select_related("instance")
        .order_by("debut", "pk")[:100]
    )

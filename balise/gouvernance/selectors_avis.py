"""Lectures des avis, votes, décisions et conditions, toujours filtrées sur l'organisation de l'adresse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Role
from balise.registre.models import SystemeIA

from . import decompte
from .models import Avis, Condition, Decision, Point, Presence, Vote


def point(organisation: Organisation, pk: int) -> Point:
    """Un point d'une séance d'une instance de l'organisation (404 sinon)."""
    return get_object_or_404(
        Point.objects.select_related("seance__instance", "systeme", "organisation"),
        pk=pk,
        seance__instance__organisation=organisation,
    )


def avis(organisation: Organisation, pk: int) -> Avis:
    return get_object_or_404(
        Avis.objects.select_related("point__seance__instance", "point__systeme", "cree_par"),
        pk=pk,
        point__seance__instance__organisation=organisation,
    )


def avis_du_point(p: Point) -> Avis | None:
    return Avis.objects.filter(point=p).select_related("cree_par").first()


def votes(p: Point) -> list[Vote]:
    return list(
        Vote.objects.filter(point=p)
        .select_related("membre__utilisateur", "membre__college")
        .order_by("membre__college__ordre", "membre__college__pk", "membre__pk")
    )


def vote_de(p: Point, membre_pk: int) -> Vote | None:
    return Vote.objects.filter(point=p, membre_id=membre_pk).first()


def decompte_du_point(p: Point, lus: list[Vote] | None = None) -> decompte.Decompte:
    lus = votes(p) if lus is None else lus
    presents = Presence.objects.filter(
        seance_id=p.seance_id, present=True, membre__retire_le__isnull=True
    ).exclude(membre__fonction="invite")
    return decompte.decompter(
        [(v.membre.college.nom if v.membre.college else None, v.sens) for v in lus],
        p.seance.instance.regle_vote,
        presents.count(),
    )


def decomptes(points: list[Point]) -> dict[int, decompte.Decompte]:
    """Le décompte des votes de chaque point qui en a reçu (comme `decompte_du_point`), en deux
    requêtes quel que soit le nombre de points : le dossier du comité les montre tous."""
    if not points:
        return {}
    par_point: dict[int, list[tuple[str | None, str]]] = {}
    for point_id, college, sens in (
        Vote.objects.filter(point__in=points)
        .order_by("membre__college__ordre", "membre__college__pk", "membre__pk")
        .values_list("point_id", "membre__college__nom", "sens")
    ):
        par_point.setdefault(point_id, []).append((college, sens))
    seances = {p.seance_id for p in points if p.pk in par_point}
    presents = dict(
        Presence.objects.filter(seance_id__in=seances, present=True, membre__retire_le__isnull=True)
        .exclude(membre__fonction="invite")
        .values_list("seance_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("seance_id", "n")
    )
    return {
        p.pk: decompte.decompter(par_point[p.pk], p.seance.instance.regle_vote, presents.get(p.seance_id, 0))
        for p in points
        if p.pk in par_point
    }


def decision(organisation: Organisation, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related("systeme", "instance", "point__seance", "cree_par"),
        pk=pk,
        organisation=organisation,
    )


def decisions_du_point(p: Point) -> QuerySet[Decision]:
    return Decision.objects.filter(point=p).order_by("-decidee_le", "-pk")


def condition(organisation: Organisation, pk: int, aujourd_hui: date) -> Condition:
    return get_object_or_404(
        Condition.objects.avec_retard(aujourd_hui).select_related(
            "systeme",
            "responsable",
            "avis__point__seance__instance__organisation",
            "decision",
            "preuve_document",
        ),
        pk=pk,
        organisation=organisation,
    )


FILTRES_CONDITIONS = {
    "en_attente": "À lever ou en cours",
    "en_retard": "En retard",
    "toutes": "Toutes",
}


def conditions(
    organisation: Organisation, aujourd_hui: date, filtre: str = "en_attente", responsable: int | None = None
) -> QuerySet[Condition]:
    qs = (
        Condition.objects.avec_retard(aujourd_hui)
        .filter(organisation=organisation, systeme__archive_le__isnull=True)
        .select_related("systeme", "responsable")
    )
    if filtre == "en_retard":
        qs = qs.filter(en_retard=True)  # type: ignore[misc]  # annotation de avec_retard, inconnue des stubs
    elif filtre == "en_attente":
        qs = qs.en_attente()
    if responsable is not None:
        qs = qs.filter(responsable_id=responsable)
    return qs.order_by("echeance", "pk")


def personnes(organisation: Organisation) -> QuerySet[Utilisateur]:
    """Les personnes de l'organisation qui peuvent répondre d'une condition (pas les membres externes)."""
    ids = (
        Adhesion.objects.filter(organisation=organisation).exclude(role=Role.EXTERNE).values("utilisateur_id")
    )
    return Utilisateur.objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")


@dataclass(frozen=True)
class Evenement:
    """Une ligne de la chronologie de gouvernance d'un système."""

    le: datetime
    nature: str  # « avis », « decision », « condition »
    objet: Any
    en_retard: bool = False


def _a_minuit(jour: date) -> datetime:
    return timezone.make_aware(datetime.combine(jour, time.min))


def chronologie(systeme: SystemeIA, aujourd_hui: date) -> list[Evenement]:
    """Avis, décisions et conditions du système dans l'ordre du temps (du plus ancien au plus récent).
    Trois requêtes, quel que soit leur nombre."""
    evenements: list[Evenement] = []
    for a in Avis.objects.filter(point__systeme=systeme).select_related(
        "point__seance__instance__organisation", "cree_par"
    ):
        evenements.append(Evenement(a.rendu_le, "avis", a))
    for d in Decision.objects.filter(systeme=systeme).select_related("instance", "cree_par"):
        evenements.append(Evenement(_a_minuit(d.decidee_le), "decision", d))
    for c in Condition.objects.avec_retard(aujourd_hui).filter(systeme=systeme).select_related("responsable"):
        evenements.append(Evenement(c.cree_le, "condition", c, bool(getattr(c, "en_retard", False))))
    ordre = {"avis": 0, "decision": 1, "condition": 2}
    return sorted(evenements, key=lambda e: (e.le, ordre[e.nature], e.objet.pk))


def publics(systeme: SystemeIA) -> tuple[list[Avis], list[Decision]]:
    """Ce que le registre public montre de la gouvernance d'un système : les seuls avis et décisions
    marqués publics."""
    return (
        list(
            Avis.objects.filter(point__systeme=systeme, public=True)
            .select_related("point__seance__instance")
            .order_by("rendu_le", "pk")
        ),
        list(
            Decision.objects.filter(systeme=systeme, public=True)
            .select_related("instance")
            .order_by("decidee_le", "pk")
        ),
    )

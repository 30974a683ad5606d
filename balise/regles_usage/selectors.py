"""Lectures des règles d'usage. Chaque fonction publique lit en un nombre de requêtes constant.

Sélecteurs publics, pour d'autres modules (page « Programme », rapports, « À traiter ») :
- `publiee(organisation)` : la version en vigueur ou None (1 requête) ;
- `a_pris_connaissance(personne, organisation)` : vrai si la personne a pris connaissance de la
  version publiée (1 requête ; faux s'il n'y en a pas) ;
- `a_prendre_connaissance(personne, organisation)` : la version publiée dont la personne n'a pas encore
  pris connaissance, ou None (1 requête) ;
- `suivi(organisation)` : l'information des agents par service et les prises de connaissance (5
  requêtes au plus)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.shortcuts import get_object_or_404

from balise.metiers import selectors as metiers
from balise.metiers.models import GroupeEffectif
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from .models import InformationService, PriseDeConnaissance, VersionRegles

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Organisation


def versions(organisation: Organisation) -> QuerySet[VersionRegles]:
    return VersionRegles.objects.filter(organisation=organisation).select_related("cree_par", "publiee_par")


def version_de(organisation: Organisation, pk: int) -> VersionRegles:
    return get_object_or_404(versions(organisation), pk=pk)


def publiee(organisation: Organisation) -> VersionRegles | None:
    return versions(organisation).filter(statut=VersionRegles.Statut.PUBLIEE).first()


def brouillon(organisation: Organisation) -> VersionRegles | None:
    return versions(organisation).filter(statut=VersionRegles.Statut.BROUILLON).first()


def a_prendre_connaissance(personne: Utilisateur, organisation: Organisation) -> VersionRegles | None:
    return (
        VersionRegles.objects.filter(organisation=organisation, statut=VersionRegles.Statut.PUBLIEE)
        .exclude(prises_de_connaissance__personne=personne)
        .first()
    )


def prises_de_connaissance(
    personne: Utilisateur, organisation: Organisation
) -> QuerySet[PriseDeConnaissance]:
    """Ses lectures des règles en vigueur (la version publiée) : vide tant qu'elle ne les a pas lues."""
    return PriseDeConnaissance.objects.filter(
        organisation=organisation,
        personne=personne,
        version_regles__statut=VersionRegles.Statut.PUBLIEE,
    )


def a_pris_connaissance(personne: Utilisateur, organisation: Organisation) -> bool:
    return prises_de_connaissance(personne, organisation).exists()


def _normaliser(service: str) -> str:
    return " ".join(service.split()).casefold()


@dataclass
class LigneService:
    service: str
    informes: int = 0
    effectif: int | None = None
    source_effectif: str = ""  # « saisi », « tableau des effectifs » ou vide
    derniere_date: date | None = None
    moyens: list[str] = field(default_factory=list)

    @property
    def taux(self) -> int | None:
        """Part des agents du service informés, en pour cent (plafonnée à 100 : deux informations d'un
        même service peuvent toucher les mêmes personnes)."""
        if not self.effectif:
            return None
        return min(100, round(100 * self.informes / self.effectif))


@dataclass
class Suivi:
    version: VersionRegles | None
    services: list[LigneService]
    informations: list[InformationService]
    membres: int
    connaissances: int
    tableau_effectifs: bool

    @property
    def taux_membres(self) -> int | None:
        return round(100 * self.connaissances / self.membres) if self.membres else None

    @property
    def informes(self) -> int:
        return sum(s.informes for s in self.services)

    @property
    def effectif(self) -> int | None:
        connus = [s.effectif for s in self.services if s.effectif]
        return sum(connus) if connus else None


def _effectifs_du_tableau(organisation: Organisation) -> dict[str, tuple[str, int]] | None:
    imp = metiers.dernier_import(organisation)
    if imp is None:
        return None
    lignes = (
        GroupeEffectif.objects.filter(import_effectifs=imp)
        .exclude(direction="")
        .values("direction")
        .annotate(effectif=Sum("effectif"))
        .order_by()
    )
    return {_normaliser(ligne["direction"]): (ligne["direction"], ligne["effectif"]) for ligne in lignes}


def suivi(organisation: Organisation) -> Suivi:
    """L'information des agents sur la version publiée : par service (agents informés, effectif saisi
    ou tiré du dernier tableau des effectifs, taux), et les prises de connaissance des membres."""
    version = publiee(organisation)
    if version is None:
        return Suivi(None, [], [], 0, 0, False)
    informations = list(
        InformationService.objects.filter(version_regles=version)
        .select_related("cree_par")
        .order_by("-date", "-pk")
    )
    tableau = _effectifs_du_tableau(organisation)
    lignes: dict[str, LigneService] = {}
    moyens: dict[str, set[str]] = defaultdict(set)
    for info in sorted(informations, key=lambda i: (i.date, i.pk)):
        cle = _normaliser(info.service)
        ligne = lignes.setdefault(cle, LigneService(info.service))
        ligne.informes += info.effectif_informe
        ligne.derniere_date = info.date
        moyens[cle].add(info.get_moyen_display())
        if info.effectif_service is not None:  # la saisie la plus récente l'emporte
            ligne.effectif, ligne.source_effectif = info.effectif_service, "saisi"
    for cle, ligne in lignes.items():
        ligne.moyens = sorted(moyens[cle])
        if ligne.effectif is None and tableau and cle in tableau:
            ligne.effectif, ligne.source_effectif = tableau[cle][1], "tableau des effectifs"
    # Les services du tableau des effectifs dont personne n'a encore été informé : à 0 %.
    for cle, (nom, effectif) in (tableau or {}).items():
        if cle not in lignes:
            lignes[cle] = LigneService(nom, 0, effectif, "tableau des effectifs")
    adhesions = Adhesion.objects.filter(organisation=organisation).values_list("role", flat=True)
    membres = sum(1 for role in adhesions if peut(role, Permission.VOIR_REGISTRE))
    connaissances = (
        PriseDeConnaissance.objects.filter(version_regles=version)
        .filter(Exists(Adhesion.objects.filter(organisation=organisation, utilisateur=OuterRef("personne"))))
        .count()
    )
    return Suivi(
        version,
        sorted(lignes.values(), key=lambda s: s.service.casefold()),
        informations,
        membres,
        connaissances,
        tableau is not None,
    )

"""Lectures de la bibliothèque : recherche (plein texte en français sur PostgreSQL, mots cherchés un à
un sur SQLite), un cas et ses adoptions, la proposition de partage d'un système.

Le nombre de requêtes d'une page de résultats ne dépend pas du nombre de cas : le compte, la page,
puis les adoptions des cas de la page en une requête."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from balise.conformite.categories import Categorie, categories
from balise.instruments.models import Evaluation
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from .models import Adoption, CasUsage
from .services import normaliser

LONGUEUR_REQUETE = 200
# Une recherche parcourt au plus ce nombre de cas (classés par pertinence en deçà, par date au-delà).
PLAFOND = 1_000
MOTS_MAXIMUM = 12
_TABLE = CasUsage._meta.db_table
# La colonne générée et indexée (GIN) de la migration 0002, lue par la requête tsquery de la base.
_TSQUERY = "websearch_to_tsquery('french'::regconfig, %s)"
# Les filtres sont aussi des lexèmes du vecteur (« domaine=rh », migration 0002) : des mots fréquents et
# des filtres sélectifs font ensemble une requête que l'index GIN sait réduire, sans lire chaque ligne.
_LEXEME = " && quote_literal(%s)::tsquery"
FILTRES = ("domaine", "type_ia", "realisation", "type_collectivite", "origine")
_PERTINENCE = f'ts_rank("{_TABLE}"."recherche_fts", {_TSQUERY})'


@dataclass(frozen=True)
class Criteres:
    q: str = ""
    domaine: str = ""
    type_ia: str = ""
    realisation: str = ""
    type_collectivite: str = ""
    origine: str = ""


def plein_texte() -> bool:
    """Vrai si la base cherche en plein texte (PostgreSQL), faux pour le repli (SQLite)."""
    return connection.vendor == "postgresql"


def _filtrer(criteres: Criteres) -> tuple[QuerySet[CasUsage], str]:
    """Les cas visibles qui répondent aux critères, sans ordre, et les mots cherchés normalisés."""
    qs = CasUsage.objects.visibles()
    filtres = {champ: getattr(criteres, champ) for champ in FILTRES if getattr(criteres, champ)}
    qs = qs.filter(**filtres)
    texte = normaliser(criteres.q[:LONGUEUR_REQUETE].replace("\x00", " "))
    if not texte:
        return qs, ""
    if plein_texte():
        # SQL fait des constantes du module, mots et filtres liés en paramètres : rien de la saisie n'entre
        # dans le texte SQL.
        correspond = f'"{_TABLE}"."recherche_fts" @@ ({_TSQUERY}{_LEXEME * len(filtres)})'
        parametres = [texte, *(f"{champ}={valeur}" for champ, valeur in filtres.items())]
        return qs.filter(RawSQL(correspond, parametres, output_field=BooleanField())), texte  # noqa: S611 — SQL constant, mots en paramètre
    for mot in texte.replace('"', " ").split()[:MOTS_MAXIMUM]:
        if mot != "or" and not mot.startswith("-"):
            qs = qs.filter(recherche__contains=mot)
    return qs, texte


def rechercher(criteres: Criteres, classer: bool = True) -> QuerySet[CasUsage]:
    """Les cas visibles qui répondent aux critères. Avec des mots cherchés sur PostgreSQL et `classer`,
    les plus pertinents d'abord ; sinon les plus récents d'abord."""
    qs, texte = _filtrer(criteres)
    if texte and plein_texte() and classer:
        pertinence = RawSQL(_PERTINENCE, [texte], output_field=FloatField())  # noqa: S611 — idem
        return qs.annotate(pertinence=pertinence).order_by("-pertinence", "-cree_le", "-id")
    return qs.order_by("-cree_le", "-id")


def parcourus(criteres: Criteres) -> tuple[QuerySet[CasUsage], int, bool]:
    """Ce qu'une recherche parcourt : les cas dans leur ordre, leur nombre (PLAFOND au plus) et s'il y
    en a davantage. Le compte s'arrête au plafond (une requête bornée) ; au-delà, la recherche est trop
    large pour être classée (le classement lirait des dizaines de milliers de vecteurs) : les plus
    récents d'abord, le reste à préciser par des mots ou des filtres (docs/bibliotheque.md)."""
    compte = _filtrer(criteres)[0].order_by().values("pk")[: PLAFOND + 1].count()
    tronque = compte > PLAFOND
    return rechercher(criteres, classer=not tronque), min(compte, PLAFOND), tronque


class _Pagination(Paginator):
    """Un paginateur dont le compte est déjà fait (et borné) : pas de second COUNT."""

    def __init__(self, cas: QuerySet[CasUsage], par_page: int, compte: int) -> None:
        super().__init__(cas, par_page)
        self._compte = compte

    @cached_property
    def count(self) -> int:
        return self._compte


@dataclass(frozen=True)
class Resultats:
    page: Page
    tronque: bool  # plus de PLAFOND cas répondent : seuls les PLAFOND plus récents sont parcourus


def page_de_resultats(criteres: Criteres, numero: str | None, par_page: int) -> Resultats:
    """Une page de résultats en deux requêtes : le compte borné, puis les cas de la page."""
    cas, compte, tronque = parcourus(criteres)
    return Resultats(_Pagination(cas, par_page, compte).get_page(numero), tronque)


def adoptions_par_cas(ids: list[int]) -> dict[int, int]:
    """Le nombre d'adoptions de chaque cas d'une page, en une requête."""
    lignes = Adoption.objects.filter(cas_id__in=ids).values("cas_id").annotate(n=Count("id"))
    return {ligne["cas_id"]: ligne["n"] for ligne in lignes}


def cas(pk: int) -> CasUsage:
    """Un cas visible de la bibliothèque (404 s'il n'existe pas ou a été retiré)."""
    trouve = CasUsage.objects.visibles().filter(pk=pk).first()
    if trouve is None:
        raise Http404("Cas d'usage introuvable.")
    return trouve


@dataclass(frozen=True)
class AdoptionLue:
    organisation: str
    le: Any
    partage: CasUsage | None  # le partage du système adopté, si l'organisation le fait


def adoptions_de(cas: CasUsage) -> list[AdoptionLue]:
    """Qui a adopté le cas, et son résultat quand l'organisation l'a partagé à son tour."""
    lues = Adoption.objects.filter(cas=cas).select_related("organisation", "systeme__cas_partage")
    resultat = []
    for a in lues:
        partage = getattr(a.systeme, "cas_partage", None)
        if partage is not None and partage.retire:
            partage = None
        resultat.append(AdoptionLue(a.organisation.nom, a.adopte_le, partage))
    return resultat


def partage_de(systeme: SystemeIA) -> CasUsage | None:
    """Le partage d'un système (visible ou retiré), s'il en a un."""
    return CasUsage.objects.filter(systeme=systeme).first()


def systeme_partageable(organisation: Organisation, pk: int) -> SystemeIA:
    trouve = (
        SystemeIA.objects.actifs().filter(organisation=organisation, pk=pk).select_related("organisation")
    )
    systeme = trouve.first()
    if systeme is None:
        raise Http404("Système introuvable.")
    return systeme


def resume_evaluations(systeme: SystemeIA) -> str:
    """Ce que la personne peut partager des instruments : les évaluations finalisées et la catégorie
    au regard du règlement européen sur l'IA. Un point de départ qu'elle relit et corrige."""
    lignes = []
    evaluations = Evaluation.objects.filter(systeme=systeme, statut=Evaluation.Statut.FINALISEE)
    for e in evaluations.select_related("instrument").order_by("finalisee_le", "pk"):
        quand = f", finalisée le {timezone.localtime(e.finalisee_le):%d/%m/%Y}" if e.finalisee_le else ""
        lignes.append(f"{e.instrument.titre} ({e.get_moment_display()}){quand}.")
    categorie = categories([systeme.pk])[systeme.pk]
    if categorie != Categorie.NON_QUALIFIE:
        lignes.append(f"Catégorie au regard du règlement européen sur l'IA : {categorie.label}.")
    return "\n".join(lignes)


def proposition_de_partage(systeme: SystemeIA) -> dict[str, Any]:
    """Les valeurs de départ du formulaire de partage : celles du partage existant, sinon tirées de la
    fiche (jamais le responsable ni le service)."""
    existant = partage_de(systeme)
    if existant is not None:
        return {
            "titre": existant.titre,
            "finalite": existant.finalite,
            "couts": bool(existant.mesures),
            "partager_resultats": bool(existant.resultats_instruments),
            "resultats": existant.resultats_instruments or resume_evaluations(systeme),
            "stade": bool(existant.stade),
            "partager_decision": bool(existant.decision),
            "decision": existant.decision,
            "partager_lecons": bool(existant.lecons),
            "lecons": existant.lecons,
            "partager_contact": bool(existant.contact),
            "contact": existant.contact or systeme.organisation.contact_public,
            "version": existant.version,
        }
    return {
        "titre": systeme.nom,
        "finalite": systeme.finalite,
        "couts": True,
        "resultats": resume_evaluations(systeme),
        "stade": True,
        "decision": systeme.motif_fin,
        "contact": systeme.organisation.contact_public,
    }

"""Lectures de l'observatoire : le dernier relevé (jamais de calcul dans une requête), son document
publié (JSON, CSV), l'évolution dans le temps et la position d'une organisation parmi les siennes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.core.cache import cache, caches
from django.core.serializers.json import DjangoJSONEncoder

from balise.organisations.models import Organisation

from . import extraction, referentiel
from .calcul import MOTIFS
from .extraction import INDICATEURS, OUI
from .models import Participation, Releve

SCHEMA_NOM = "balise-observatoire"
SCHEMA_VERSION = 1
NOMBRE_RELEVES_EVOLUTION = 24


def dernier_releve() -> Releve | None:
    """Le relevé publié : le plus récent. Ses états (jamais publiés) ne sont pas lus."""
    return Releve.objects.defer("etats").order_by("-calcule_le", "-pk").first()


CLE_PUBLIE = "observatoire:publie"


def publie() -> str | None:
    """Ce qui désigne le relevé publié : « numéro:date de calcul », lu dans le cache partagé par tous
    les processus (écrit par le calcul, après validation), sinon en base. Une page publique ne fait
    ainsi aucune requête ; un cache partagé vidé (restauration) renvoie à la base."""
    partage = caches["partage"]
    cle = cast(str | None, partage.get(CLE_PUBLIE))
    if cle is None:
        dernier = Releve.objects.order_by("-calcule_le", "-pk").values_list("pk", "calcule_le").first()
        if dernier is None:
            return None
        cle = annoncer(*dernier)
    return cle


def annoncer(pk: int, calcule_le: datetime) -> str:
    """Désigne ce relevé comme publié pour tous les processus."""
    cle = f"{pk}:{calcule_le.isoformat()}"
    caches["partage"].set(CLE_PUBLIE, cle, DUREE_EN_MEMOIRE)
    return cle


def numero(cle: str) -> int:
    return int(cle.split(":", 1)[0])


T = TypeVar("T")
DUREE_EN_MEMOIRE = 3600


def en_memoire(nature: str, cle: str, produire: Callable[[], T]) -> T:
    """Ce qui se tire du relevé publié (page, JSON, CSV), gardé dans le cache de chaque processus sous
    sa clé (`publie`) : un relevé ne change plus une fois calculé, un nouveau relevé est une autre clé,
    rien à invalider. La date écarte un relevé d'une base restaurée qui reprendrait un numéro."""
    cle_cache = f"observatoire:{nature}:{cle}"
    valeur = cast(T | None, cache.get(cle_cache))
    if valeur is None:
        valeur = produire()
        cache.set(cle_cache, valeur, DUREE_EN_MEMOIRE)
    return valeur


def releve(pk: int) -> Releve:
    return Releve.objects.defer("etats").get(pk=pk)


@dataclass(frozen=True)
class Point:
    calcule_le: datetime
    synthese: dict[str, dict[str, Any]]


def evolution(nombre: int = NOMBRE_RELEVES_EVOLUTION) -> list[Point]:
    """Les totaux des derniers relevés, du plus ancien au plus récent : chacun a été protégé contre le
    précédent (calcul.py, motifs « évolution » et « persistance »)."""
    lignes = Releve.objects.order_by("-calcule_le", "-pk").values_list("calcule_le", "synthese")[:nombre]
    return [Point(date, synthese) for date, synthese in reversed(lignes)]


def document(releve: Releve, schema: str, points: list[Point]) -> dict[str, Any]:
    """Le document ouvert de l'observatoire (schéma : schema.py)."""
    return {
        "schema": schema,
        "nom": SCHEMA_NOM,
        "version_schema": SCHEMA_VERSION,
        "calcule_le": releve.calcule_le.isoformat(),
        "seuil": releve.seuil,
        "organisations": releve.organisations,
        "motifs": MOTIFS,
        "tableaux": releve.tables,
        "evolution": [{"calcule_le": p.calcule_le.isoformat(), "totaux": p.synthese} for p in points],
    }


def document_json(cle: str, schema: str) -> str:
    """Le document ouvert du relevé publié, sérialisé une fois par processus, relevé et adresse du schéma."""

    def produire() -> str:
        lu = releve(numero(cle))
        return json.dumps(document(lu, schema, evolution()), ensure_ascii=False, cls=DjangoJSONEncoder)

    return en_memoire(f"json:{schema}", cle, produire)


COLONNES_CSV = ["tableau", "titre", "unite", "ligne", "colonne", "valeur", "secret"]


def document_csv(releve: Releve) -> str:
    """Une ligne par chiffre (cases et totaux) : tableau, ligne, colonne, valeur ou vide, motif du secret."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, lineterminator="\r\n")
    ecrivain.writerow(COLONNES_CSV)
    for table in releve.tables:
        rangs = [*table["lignes"], {**table["totaux"], "libelle": "Total"}]
        for rang in rangs:
            membres = [*zip(table["colonnes"], rang["cases"], strict=True), ("Total", rang["total"])]
            for colonne, membre in membres:
                valeur = "" if membre["valeur"] is None else membre["valeur"]
                ecrivain.writerow(
                    [
                        table["id"],
                        table["titre"],
                        table["unite"],
                        rang["libelle"],
                        colonne,
                        valeur,
                        membre["secret"] or "",
                    ]
                )
    return sortie.getvalue()


def participation(organisation: Organisation) -> Participation:
    """Le choix de l'organisation ; sans ligne, celui par défaut (registre public seulement, version 1)."""
    return Participation.objects.filter(organisation=organisation).first() or Participation(
        organisation=organisation
    )


@dataclass(frozen=True)
class Comparaison:
    indicateur: str
    titre: str
    vous: bool
    decoupage: str  # « Strate » ou « Région »
    groupe: str  # la strate ou la région de l'organisation
    oui: int | None  # None : secret ou absent
    ensemble: int | None
    secret: bool

    @property
    def part(self) -> int | None:
        """La part (en %, arrondie) des organisations du groupe qui ont fait de même ; None si secrète."""
        if self.oui is None or not self.ensemble:
            return None
        return round(100 * self.oui / self.ensemble)


def position(organisation: Organisation, releve: Releve | None) -> list[Comparaison]:
    """Où en est l'organisation face aux organisations de sa strate et de sa région, d'après les seuls
    tableaux publiés (protégés) ; sa propre situation est lue en base (elle la connaît)."""
    ref = referentiel.en_vigueur()
    groupes = {
        "strate": ("Strate", ref.strate(organisation.type, organisation.population)),
        "region": ("Région", referentiel.region(organisation.siren)),
    }
    faits = extraction.faits(Organisation.objects.filter(pk=organisation.pk)).get()
    tables = {t["id"]: t for t in (releve.tables if releve else [])}
    comparaisons = []
    for indicateur, titre in INDICATEURS:
        for decoupage, (libelle, groupe) in groupes.items():
            table = tables.get(f"organisations_{indicateur}_{decoupage}")
            rang = next((r for r in table["lignes"] if r["libelle"] == groupe), None) if table else None
            oui = ensemble = None
            secret = False
            if rang is not None:
                case_oui = rang["cases"][table["colonnes"].index(OUI)] if table else None
                oui, ensemble = case_oui["valeur"] if case_oui else None, rang["total"]["valeur"]
                secret = oui is None or ensemble is None
                if secret:
                    oui = ensemble = None
            comparaisons.append(
                Comparaison(
                    indicateur, titre, bool(faits[indicateur]), libelle, groupe, oui, ensemble, secret
                )
            )
    return comparaisons

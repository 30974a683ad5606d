"""Paliers, populations de référence et catalogue des offres : données YAML versionnées et sourcées,
validées ici. Un fichier invalide fait échouer le chargement avec un message en français."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DOSSIER = Path(__file__).resolve().parent
FICHIER_POPULATIONS = DOSSIER / "referentiels" / "populations-v1.yaml"
FICHIER_CATALOGUE = DOSSIER / "catalogue" / "formations-v1.yaml"

# « 002_97176ee3a60ad1d8.txt:917, 921 ; 004_bdc9e5a14722e214.txt:702 » : chaque source est un fichier
# de graine et au moins un numéro de ligne.
_SOURCE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:\d+(, \d+)*( \(.+\))?$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
FORMATS = ("mooc", "webinaire", "rencontre", "atelier", "module", "seminaire", "presentiel", "autre")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _verifier_source(valeur: str) -> str:
    for morceau in valeur.split(" ; "):
        if not _SOURCE.match(morceau):
            raise ValueError(f"Source « {morceau} » illisible : attendu « fichier.txt:ligne ».")
    return valeur


def _verifier_code(valeur: str) -> str:
    if not _CODE.match(valeur):
        raise ValueError(f"Code « {valeur} » : lettres minuscules, chiffres et « _ » seulement.")
    return valeur


class Palier(Strict):
    code: str
    titre: str = Field(min_length=1, max_length=100)
    description: str
    source: str

    _code = field_validator("code")(_verifier_code)
    _source = field_validator("source")(_verifier_source)


class PopulationReference(Strict):
    code: str
    titre: str = Field(min_length=1, max_length=100)
    description: str
    palier: str
    cible: int = Field(ge=0, le=100)
    tous_les_agents: bool = False
    source: str

    _code = field_validator("code")(_verifier_code)
    _source = field_validator("source")(_verifier_source)


class ReferentielPopulations(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    source_trajectoire: str
    paliers: list[Palier] = Field(min_length=1)
    populations: list[PopulationReference] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> ReferentielPopulations:
        codes = [p.code for p in self.paliers]
        if len(set(codes)) != len(codes):
            raise ValueError("Code de palier en double.")
        pops = [p.code for p in self.populations]
        if len(set(pops)) != len(pops):
            raise ValueError("Code de population en double.")
        for p in self.populations:
            if p.palier not in codes:
                raise ValueError(f"Population « {p.code} » : palier « {p.palier} » inconnu.")
        if sum(p.tous_les_agents for p in self.populations) != 1:
            raise ValueError("Une et une seule population couvre tous les agents.")
        return self

    def palier(self, code: str) -> Palier | None:
        return next((p for p in self.paliers if p.code == code), None)


class OffreCatalogue(Strict):
    code: str
    titre: str = Field(min_length=1, max_length=200)
    organisme: str = Field(min_length=1, max_length=200)
    format: Literal[FORMATS]  # type: ignore[valid-type]
    public: str = Field(min_length=1, max_length=200)
    palier: str
    duree_heures: float | None = Field(None, gt=0, le=500)
    date_reference: date | None = None
    description: str
    source: str

    _code = field_validator("code")(_verifier_code)
    _source = field_validator("source")(_verifier_source)


class Catalogue(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    offres: list[OffreCatalogue] = Field(min_length=1)

    def offre(self, code: str) -> OffreCatalogue | None:
        return next((o for o in self.offres if o.code == code), None)


class ReferentielInvalide(Exception):
    pass


def _lire(chemin: Path) -> object:
    with chemin.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def valider_populations(donnees: object) -> ReferentielPopulations:
    try:
        return ReferentielPopulations.model_validate(donnees)
    except ValidationError as e:
        raise ReferentielInvalide(f"Référentiel des populations invalide : {e}") from None


def valider_catalogue(donnees: object, paliers: set[str]) -> Catalogue:
    try:
        catalogue = Catalogue.model_validate(donnees)
    except ValidationError as e:
        raise ReferentielInvalide(f"Catalogue des formations invalide : {e}") from None
    codes = [o.code for o in catalogue.offres]
    if len(set(codes)) != len(codes):
        raise ReferentielInvalide("Catalogue des formations invalide : code d'offre en double.")
    for o in catalogue.offres:
        if o.palier not in paliers:
            raise ReferentielInvalide(f"Offre « {o.code} » : palier « {o.palier} » inconnu.")
    return catalogue


@cache
def populations() -> ReferentielPopulations:
    return valider_populations(_lire(FICHIER_POPULATIONS))


@cache
def catalogue() -> Catalogue:
    return valider_catalogue(_lire(FICHIER_CATALOGUE), {p.code for p in populations().paliers})


def choix_paliers() -> list[tuple[str, str]]:
    return [(p.code, p.titre) for p in populations().paliers]


def choix_formats() -> list[tuple[str, str]]:
    libelles = {
        "mooc": "Cours en ligne (MOOC)",
        "webinaire": "Webinaire",
        "rencontre": "Rencontre (café IA…)",
        "atelier": "Atelier",
        "module": "Module court",
        "seminaire": "Séminaire",
        "presentiel": "Formation en présentiel",
        "autre": "Autre",
    }
    return [(f, libelles[f]) for f in FORMATS]

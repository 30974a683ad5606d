"""Le référentiel national d'exposition des métiers à l'IA générative (étude INET / OIT), lu depuis ses fichiers.

Un référentiel est un dossier `referentiels/<id>/` : `referentiel.yaml` (provenance, méthode,
niveaux, mises en garde, défauts connus) et les tables de la source copiées telles quelles
(`metiers.csv`, `taches.csv`). La lecture vérifie chaque ligne (code CITP-08 à quatre chiffres,
niveau prévu par le fichier) et que les comptes par niveau sont ceux de l'étude.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from balise.validation import messages_en_francais

DOSSIER = Path(__file__).parent / "referentiels"


class ReferentielInvalide(ValueError):
    def __init__(self, erreurs: list[str]) -> None:
        self.erreurs = erreurs
        super().__init__("; ".join(erreurs))


class Niveau(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    libelle: str = Field(min_length=1)
    score: str = Field(min_length=1)


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: int = Field(ge=1)
    titre: str
    source: str
    methode: str
    niveaux: list[Niveau] = Field(min_length=2)
    comptes_de_l_etude: dict[str, int]
    mises_en_garde: list[str] = Field(min_length=1)
    defauts_connus: list[str] = Field(default_factory=list)
    taches: dict[str, str]


@dataclass(frozen=True)
class Metier:
    libelle_source: str
    repertoire: str
    metier: str
    isco08: str
    isco08_libelle_en: str
    niveau: str


@dataclass(frozen=True)
class Tache:
    theme: str
    tache: str
    indice: str


@dataclass(frozen=True)
class Referentiel:
    provenance: Provenance
    metiers: tuple[Metier, ...]
    taches: tuple[Tache, ...]

    @property
    def niveaux(self) -> list[str]:
        """Du moins au plus exposé."""
        return [n.libelle for n in self.provenance.niveaux]

    def comptes(self) -> dict[str, int]:
        comptes = Counter(m.niveau for m in self.metiers)
        return {niveau: comptes.get(niveau, 0) for niveau in self.niveaux}

    def themes(self) -> dict[str, list[Tache]]:
        par_theme: dict[str, list[Tache]] = {}
        for t in self.taches:
            par_theme.setdefault(t.theme, []).append(t)
        return par_theme


def _lignes(chemin: Path) -> list[dict[str, str]]:
    with chemin.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def charger(identifiant: str = "inet-2024") -> Referentiel:
    dossier = DOSSIER / identifiant
    try:
        provenance = Provenance.model_validate(
            yaml.safe_load((dossier / "referentiel.yaml").read_text("utf-8"))
        )
    except ValidationError as exc:
        raise ReferentielInvalide(messages_en_francais(exc, "referentiel.yaml")) from None
    niveaux = {n.libelle for n in provenance.niveaux}
    metiers, erreurs = [], []
    for numero, ligne in enumerate(_lignes(dossier / "metiers.csv"), start=2):
        champs = {k: (v or "").strip() for k, v in ligne.items()}
        champs["niveau"] = champs.pop("niveau_exposition", "")
        metier = Metier(**champs)
        if not (len(metier.isco08) == 4 and metier.isco08.isdigit()):
            erreurs.append(f"metiers.csv, ligne {numero} : code CITP-08 « {metier.isco08} » invalide")
        if metier.niveau not in niveaux:
            erreurs.append(f"metiers.csv, ligne {numero} : niveau « {metier.niveau} » inconnu")
        metiers.append(metier)
    taches = [
        Tache(ligne["theme"], ligne["tache"], ligne["indice_automatisation"])
        for ligne in _lignes(dossier / "taches.csv")
    ]
    referentiel = Referentiel(provenance, tuple(metiers), tuple(taches))
    if not erreurs and referentiel.comptes() != provenance.comptes_de_l_etude:
        erreurs.append(
            f"les comptes par niveau {referentiel.comptes()} ne sont pas ceux de l'étude {provenance.comptes_de_l_etude}"
        )
    if erreurs:
        raise ReferentielInvalide(erreurs)
    return referentiel


@dataclass(frozen=True)
class Rattachement:
    metier: str
    isco08: str
    niveau: str
    propre: bool  # ajouté ou corrigé par l'organisation


class ReferentielLocal:
    """Le référentiel national vu par une organisation : ses propres métiers s'ajoutent, et
    remplacent le rattachement national de même libellé."""

    def __init__(self, national: Referentiel, propres: list[tuple[str, str, str]]) -> None:
        self.national = national
        self.metiers: dict[str, Rattachement] = {
            m.metier: Rattachement(m.metier, m.isco08, m.niveau, False) for m in national.metiers
        }
        for libelle, isco08, niveau in propres:
            self.metiers[libelle] = Rattachement(libelle, isco08, niveau, True)
        niveaux_par_code: dict[str, set[str]] = {}
        for m in national.metiers:
            niveaux_par_code.setdefault(m.isco08, set()).add(m.niveau)
        # Un code ne désigne un niveau que s'il n'en a qu'un dans l'étude (4225 en a deux).
        self.par_isco = {code: next(iter(n)) for code, n in niveaux_par_code.items() if len(n) == 1}

    @property
    def niveaux(self) -> list[str]:
        return self.national.niveaux

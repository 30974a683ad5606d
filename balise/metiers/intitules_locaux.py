"""Les intitulés de poste courants des communes que le référentiel national n'a pas (« Secrétaire de
mairie », « ATSEM », « Agent technique polyvalent »…), chacun rattaché au métier national dont il
partage les tâches, avec sa raison et ses sources : `referentiels/intitules-locaux/intitules.yaml`.

La lecture vérifie le schéma, que chaque métier de rattachement est au référentiel national, et que
chaque intitulé (et variante) a une forme normalisée propre : ni vide, ni celle d'un métier national
(qui l'emporterait), ni celle d'un autre intitulé de la table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from balise.validation import DonneesInvalides, lire_yaml

from .correspondance import normaliser
from .referentiel import DOSSIER, Referentiel, charger

FICHIER = DOSSIER / "intitules-locaux" / "intitules.yaml"


class TableInvalide(DonneesInvalides):
    pass


class Intitule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    intitule: str = Field(min_length=2, max_length=120)
    variantes: list[str] = Field(default_factory=list)
    metier: str = Field(min_length=2)
    raison: str = Field(min_length=10, max_length=160)


class TableIntitules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: int = Field(ge=1)
    titre: str
    referentiel: str
    methode: str
    sources: list[str] = Field(min_length=1)
    mises_en_garde: list[str] = Field(min_length=1)
    intitules: list[Intitule] = Field(min_length=1)


@dataclass(frozen=True)
class Alias:
    """Un intitulé local (ou une de ses variantes) : le métier national retenu et la raison montrée."""

    intitule: str
    metier: str
    raison: str


def verifier(table: TableIntitules, national: Referentiel) -> dict[str, Alias]:
    """Forme normalisée -> alias ; lève TableInvalide avec toutes les erreurs, en français."""
    metiers = {m.metier for m in national.metiers}
    formes_nationales = {normaliser(m) for m in metiers}
    erreurs: list[str] = []
    if table.referentiel != national.provenance.id:
        erreurs.append(
            f"la table vise le référentiel « {table.referentiel} », pas « {national.provenance.id} »"
        )
    alias: dict[str, Alias] = {}
    for entree in table.intitules:
        if entree.metier not in metiers:
            erreurs.append(f"« {entree.intitule} » : le métier « {entree.metier} » n'est pas au référentiel")
        for libelle in (entree.intitule, *entree.variantes):
            forme = normaliser(libelle)
            if not forme:
                erreurs.append(f"« {libelle} » : intitulé vide une fois normalisé")
            elif forme in formes_nationales:
                erreurs.append(f"« {libelle} » : déjà un métier du référentiel national")
            elif forme in alias:
                erreurs.append(f"« {libelle} » : même forme que « {alias[forme].intitule} »")
            else:
                alias[forme] = Alias(entree.intitule, entree.metier, entree.raison)
    if erreurs:
        raise TableInvalide(erreurs)
    return alias


def lire(chemin: Path, national: Referentiel) -> dict[str, Alias]:
    table = lire_yaml(chemin.read_text("utf-8"), TableIntitules, chemin.name, TableInvalide)
    return verifier(table, national)


@cache
def alias() -> dict[str, Alias]:
    """La table livrée, vérifiée contre le référentiel national (lue une fois)."""
    return lire(FICHIER, charger())

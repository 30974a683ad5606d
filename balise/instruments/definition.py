"""Le schéma d'une définition d'instrument (radar, girouet, grilles…) et sa lecture.

Une définition est un fichier YAML versionné (`definitions/<id>-v<version>.yaml`) : ses sections,
ses items avec leur libellé et leurs questions guides, ses échelles, la façon d'agréger les notes
et le visuel qui la résume. Ce module est la seule porte d'entrée d'une définition, qu'elle vienne
d'un fichier livré avec Balise ou de l'adaptation d'une organisation : tout passe par `valider()`,
qui renvoie des messages en français lisibles par la personne qui a écrit le fichier.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from balise.validation import messages_en_francais

DOSSIER_DEFINITIONS = Path(__file__).parent / "definitions"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=2000)]


class Moment(StrEnum):
    """Les moments d'un projet où l'on évalue (seed 004, parties 2 et 3)."""

    AMONT = "amont"
    PREPARATION = "preparation"
    AVANT_PRODUCTION = "avant_production"
    BILAN = "bilan"


# Clés : les Moment, donc aussi leurs valeurs enregistrées en base (StrEnum : même hachage, égales).
LIBELLES_MOMENTS: dict[str, str] = {
    Moment.AMONT: "En amont du projet",
    Moment.PREPARATION: "Pendant la préparation",
    Moment.AVANT_PRODUCTION: "Avant la mise en production",
    Moment.BILAN: "Bilan",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    document: Texte  # fichier de seed, ex. « seeds/004_bdc9e5a14722e214.txt »
    section: Texte
    auteurs: Texte
    licence: Texte
    url: str | None = None


class Niveau(Strict):
    valeur: int = Field(ge=-100, le=100)
    libelle: Texte


class Echelle(Strict):
    niveaux: list[Niveau] = Field(min_length=2, max_length=11)
    # « Sans objet » : une réponse possible qui ne compte pas dans les moyennes.
    sans_objet: bool = False

    @model_validator(mode="after")
    def _valeurs_croissantes(self) -> Echelle:
        valeurs = [n.valeur for n in self.niveaux]
        if valeurs != sorted(set(valeurs)):
            raise ValueError("les valeurs d'une échelle doivent être distinctes et croissantes")
        return self

    @property
    def minimum(self) -> int:
        return self.niveaux[0].valeur

    @property
    def maximum(self) -> int:
        return self.niveaux[-1].valeur

    @property
    def milieu(self) -> float:
        return (self.minimum + self.maximum) / 2

    def libelle(self, valeur: int | None) -> str:
        if valeur is None:
            return "Sans objet"
        return next((n.libelle for n in self.niveaux if n.valeur == valeur), str(valeur))


class Item(Strict):
    id: Identifiant
    libelle: Texte
    questions: list[Texte] = Field(default_factory=list, max_length=30)
    # « echelle » : une note sur une échelle de la définition ; « choix » : une ou plusieurs
    # réponses parmi une liste (ex. les usages d'un outil), sans note.
    type: Literal["echelle", "choix"] = "echelle"
    echelle: Identifiant | None = None  # par défaut, l'échelle de la définition
    choix: list[Texte] = Field(default_factory=list, max_length=30)
    poids: float = Field(default=1.0, gt=0, le=100)

    @model_validator(mode="after")
    def _choix_coherents(self) -> Item:
        if self.type == "choix" and len(self.choix) < 2:
            raise ValueError("un item de type « choix » doit proposer au moins deux choix")
        if self.type == "echelle" and self.choix:
            raise ValueError("seul un item de type « choix » peut proposer des choix")
        return self


class Section(Strict):
    id: Identifiant
    titre: Texte
    description: str = Field(default="", max_length=4000)
    items: list[Item] = Field(min_length=1, max_length=60)


class Definition(Strict):
    id: Identifiant
    version: int = Field(ge=1)
    titre: Texte
    resume: Texte
    source: Source
    # Ce que Balise a dû choisir là où la source se tait (ex. l'échelle du radar) : dit, pas caché.
    choix_de_transcription: list[Texte] = Field(default_factory=list)
    moments: list[Moment] = Field(min_length=1)
    echelles: dict[Identifiant, Echelle] = Field(min_length=1)
    echelle: Identifiant  # l'échelle par défaut des items
    sections: list[Section] = Field(min_length=1, max_length=30)
    # « moyenne_ponderee » : score d'une section = moyenne des moyennes de ses items, pondérée ;
    # « repartition » : pas de score, seulement la répartition des réponses (questionnaires).
    agregation: Literal["moyenne_ponderee", "repartition"] = "moyenne_ponderee"
    # Écart entre évaluateurs, en points d'échelle, à partir duquel un item est « en désaccord ».
    seuil_desaccord: float = Field(default=2, gt=0)
    visuel: Literal["radar", "girouet", "barres", "matrice", "tableau"]
    # Ouvrable aux agents par un lien anonyme (questionnaire d'expérimentation).
    consultation: bool = False

    @model_validator(mode="after")
    def _coherence(self) -> Definition:
        if self.echelle not in self.echelles:
            raise ValueError(f"l'échelle par défaut « {self.echelle} » n'est pas définie dans « echelles »")
        vus: set[str] = set()
        for item in self.items:
            if item.id in vus:
                raise ValueError(f"l'identifiant d'item « {item.id} » est utilisé deux fois")
            vus.add(item.id)
            if item.echelle is not None and item.echelle not in self.echelles:
                raise ValueError(f"l'item « {item.id} » utilise l'échelle inconnue « {item.echelle} »")
        if len({s.id for s in self.sections}) != len(self.sections):
            raise ValueError("deux sections portent le même identifiant")
        if self.visuel == "matrice" and len(self.items_notes) != 2:
            raise ValueError("le visuel « matrice » demande exactement deux items notés (les deux axes)")
        return self

    @cached_property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @cached_property
    def items_notes(self) -> list[Item]:
        return [item for item in self.items if item.type == "echelle"]

    def echelle_de(self, item: Item) -> Echelle:
        return self.echelles[item.echelle or self.echelle]

    @property
    def code_version(self) -> str:
        return f"{self.id} v{self.version}"


class DefinitionInvalide(ValueError):
    """Une définition refusée, avec un message par erreur, en français."""

    def __init__(self, erreurs: list[str]) -> None:
        self.erreurs = erreurs
        super().__init__("; ".join(erreurs))


def valider(donnees: object) -> Definition:
    if not isinstance(donnees, dict):
        raise DefinitionInvalide(["la définition doit être un dictionnaire de champs (id, version, titre…)"])
    try:
        return Definition.model_validate(donnees)
    except ValidationError as exc:
        raise DefinitionInvalide(messages_en_francais(exc, "définition")) from None


TAILLE_MAX_YAML = 200_000


def lire_yaml(texte: str, version: int | None = None) -> Definition:
    """Une définition écrite en YAML (fichier livré ou adaptation saisie par une organisation).

    `version` impose le numéro de version (celui qu'attribue Balise à une adaptation).
    """
    donnees = lire_donnees_yaml(texte)
    if version is not None and isinstance(donnees, dict):
        donnees["version"] = version
    return valider(donnees)


def lire_donnees_yaml(texte: str) -> object:
    """Le texte YAML d'une définition lu en données, pas encore validées (alias et tailles refusés)."""
    if len(texte) > TAILLE_MAX_YAML:
        raise DefinitionInvalide([f"définition trop longue (plus de {TAILLE_MAX_YAML // 1000} ko)"])
    try:
        # Les alias YAML (&a / *a) n'ont pas d'usage dans une définition et permettent d'en faire
        # exploser la taille une fois dépliée (« billion laughs ») : refusés avant toute lecture.
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(texte, Loader=yaml.SafeLoader)):
            raise DefinitionInvalide(
                ["les alias YAML (*nom) ne sont pas acceptés : écrivez le texte en entier"]
            )
        donnees: object = yaml.safe_load(texte)
    except yaml.YAMLError as exc:
        position = getattr(exc, "problem_mark", None)
        ou = f" (ligne {position.line + 1})" if position else ""
        raise DefinitionInvalide([f"le texte n'est pas du YAML valide{ou}"]) from None
    return donnees


def empreinte(definition: Definition) -> str:
    """L'empreinte SHA-256 du contenu d'une définition (JSON canonique) : deux instances, ou deux
    organisations, savent ainsi qu'une même version d'un instrument a bien les mêmes items, échelles et
    poids, et non seulement le même numéro (une adaptation locale peut porter le même)."""
    texte = json.dumps(
        definition.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def en_yaml(definition: Definition) -> str:
    return yaml.safe_dump(
        definition.model_dump(mode="json", exclude_defaults=False),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


def definitions_livrees() -> list[Definition]:
    """Les définitions nationales livrées avec Balise, lues et validées depuis leurs fichiers."""
    return [lire_yaml(f.read_text(encoding="utf-8")) for f in sorted(DOSSIER_DEFINITIONS.glob("*.yaml"))]

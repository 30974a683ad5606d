"""Le catalogue de départ de la bibliothèque (`catalogue/cas-v<N>.yaml`) : schéma et lecture.

Chaque cas est un exemple documenté par les textes sources, redit avec les mots de Balise, avec ses
chiffres (valeur et unité) et la ligne de la source qui les donne. Un fichier incohérent (vocabulaire
inconnu, identifiant en double, source non déclarée, ligne citée hors d'une graine) est refusé avec
un message en français (balise/validation.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from balise.organisations.models import TypeOrganisation
from balise.registre.cycle_de_vie import Stade
from balise.registre.referentiels import Cible, Domaine, Positionnement, Realisation, TypeIA
from balise.validation import (
    DonneesInvalides,
    FichiersVersionnes,
    Reference,
    Source,
    Strict,
    lire_yaml,
    references_inconnues,
)

DOSSIER = Path(__file__).parent / "catalogue"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}$")]
Court = Annotated[str, Field(min_length=1, max_length=200)]
Long = Annotated[str, Field(max_length=4000)]

# Les vocabulaires des fiches du registre (leurs énumérations) : un cas adopté devient une fiche sans
# traduction.
VALEUR_MAX = Decimal("1e12")


class Mesure(Strict):
    """Un chiffre de la source : « Temps de travail avant le dispositif : 1 100 heures »."""

    libelle: Court
    valeur: Decimal = Field(ge=0, le=VALEUR_MAX)
    unite: Annotated[str, Field(min_length=1, max_length=60)]


class CasCatalogue(Strict):
    identifiant: Identifiant
    titre: Court
    collectivite: Court
    type_collectivite: TypeOrganisation
    domaine: Domaine
    type_ia: TypeIA
    realisation: Realisation
    cible: Cible
    positionnement: Positionnement
    stade: Stade | None = None
    fournisseur: Annotated[str, Field(max_length=200)] = ""
    finalite: Annotated[str, Field(min_length=1, max_length=4000)]
    mesures: list[Mesure] = Field(max_length=20)
    decision: Long = ""
    lecons: Long = ""
    sources: list[Reference] = Field(min_length=1)


class Catalogue(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    cas: list[CasCatalogue] = Field(min_length=1)

    @cached_property
    def par_identifiant(self) -> dict[str, CasCatalogue]:
        return {c.identifiant: c for c in self.cas}

    @model_validator(mode="after")
    def _coherence(self) -> Catalogue:
        ids = [c.identifiant for c in self.cas]
        erreurs = [f"cas « {i} » défini deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})]
        for c in self.cas:
            erreurs += references_inconnues(c.identifiant, c.sources, self.sources)
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    def citer(self, cas: CasCatalogue) -> str:
        """« graine 001:614, 618 ; graine 002:591 » : les lignes citées, regroupées par source."""
        parties: dict[str, list[str]] = {}
        for r in cas.sources:
            nom = f"graine {r.source.removeprefix('seed_')}" if r.source.startswith("seed_") else r.source
            parties.setdefault(nom, [])
            if r.ligne is not None:
                parties[nom].append(str(r.ligne))
        return " ; ".join(f"{nom}:{', '.join(lignes)}" if lignes else nom for nom, lignes in parties.items())


class CatalogueInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Catalogue:
    return lire_yaml(texte, Catalogue, "catalogue des cas d'usage", CatalogueInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "cas", lire, CatalogueInvalide, "Catalogue des cas d'usage v{numero} introuvable."
)


def en_vigueur() -> Catalogue:
    return _VERSIONS.en_vigueur()

"""Le référentiel du programme (`referentiels/programme-v<N>.yaml`) : les cinq étapes d'une démarche
(seed 001:245–271) et les formats de sensibilisation (seeds 000 et 002), avec leurs sources.

Le schéma refuse un fichier incohérent avec un message en français (balise/validation.py) : identifiants
en double, étapes mal numérotées, source inconnue, ligne citée ailleurs que dans un fichier de seed.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from balise.validation import (
    DonneesInvalides,
    FichiersVersionnes,
    Identifiant,
    Reference,
    Source,
    Strict,
    lire_yaml,
    references_inconnues,
)

DOSSIER = Path(__file__).parent / "referentiels"

Titre = Annotated[str, Field(min_length=1, max_length=200)]
Texte = Annotated[str, Field(min_length=1, max_length=2000)]


class Etape(Strict):
    id: Identifiant
    numero: int = Field(ge=1, le=20)
    titre: Titre
    description: Texte
    references: list[Reference] = Field(min_length=1)


class Format(Strict):
    id: Identifiant
    titre: Titre
    description: Texte
    references: list[Reference] = Field(min_length=1)


class MesureAppropriation(Strict):
    description: Texte
    references: list[Reference] = Field(min_length=1)


class Referentiel(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    etapes: list[Etape] = Field(min_length=1)
    formats: list[Format] = Field(min_length=1)
    mesure_appropriation: MesureAppropriation

    @model_validator(mode="after")
    def _coherence(self) -> Referentiel:
        erreurs: list[str] = []
        for nom, liste in (("étape", self.etapes), ("format", self.formats)):
            ids = [x.id for x in liste]
            erreurs += [
                f"{nom} « {i} » définie deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})
            ]
        numeros = [e.numero for e in self.etapes]
        if numeros != list(range(1, len(numeros) + 1)):
            erreurs.append("les étapes doivent être numérotées 1, 2, 3… dans l'ordre")
        cites = [(e.id, e.references) for e in self.etapes] + [(f.id, f.references) for f in self.formats]
        cites.append(("mesure_appropriation", self.mesure_appropriation.references))
        for ident, references in cites:
            erreurs += references_inconnues(ident, references, self.sources)
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    @cached_property
    def etape_par_id(self) -> dict[str, Etape]:
        return {e.id: e for e in self.etapes}

    @cached_property
    def format_par_id(self) -> dict[str, Format]:
        return {f.id: f for f in self.formats}

    def citer(self, references: list[Reference]) -> list[str]:
        """Les sources lisibles : « seed 001:249 », ou le titre de la source."""
        return [
            f"seed {r.source.removeprefix('seed_')}:{r.ligne}" if r.ligne else self.sources[r.source].titre
            for r in references
        ]


class ReferentielInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Referentiel:
    return lire_yaml(texte, Referentiel, "référentiel du programme", ReferentielInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "programme", lire, ReferentielInvalide, "Référentiel du programme v{numero} introuvable."
)


def en_vigueur() -> Referentiel:
    return _VERSIONS.en_vigueur()


def choix_etapes() -> list[tuple[str, str]]:
    return [(e.id, f"{e.numero}. {e.titre}") for e in en_vigueur().etapes]


def choix_formats() -> list[tuple[str, str]]:
    return [(f.id, f.titre) for f in en_vigueur().formats]

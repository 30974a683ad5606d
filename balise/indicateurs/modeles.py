"""Le modèle de départ des indicateurs (`modeles/indicateurs-v<N>.yaml`) : schéma et lecture.

Le tableau objectif / indicateur / fréquence de l'encart SNDGCT sur l'AFNOR Spec 2314 (graine 001,
lignes 1022–1026) et des indicateurs types par système. Chaque entrée cite sa source ; un fichier
incohérent est refusé avec un message en français (balise/validation.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

from .echeances import Frequence, Sens
from .models import VALEUR_MAX

DOSSIER = Path(__file__).parent / "modeles"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=300)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    titre: Texte


class Reference(Strict):
    source: Identifiant
    ligne: int | None = Field(default=None, ge=1)


class ModeleIndicateur(Strict):
    id: Identifiant
    portee: Literal["organisation", "systeme"]
    objectif: Texte
    intitule: Texte
    unite: Annotated[str, Field(min_length=1, max_length=40)]
    cible: Decimal = Field(ge=-VALEUR_MAX, le=VALEUR_MAX)
    sens: Sens
    frequence: Frequence
    source: Reference


class Modeles(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    indicateurs: list[ModeleIndicateur] = Field(min_length=1)

    @cached_property
    def par_id(self) -> dict[str, ModeleIndicateur]:
        return {m.id: m for m in self.indicateurs}

    @model_validator(mode="after")
    def _coherence(self) -> Modeles:
        ids = [m.id for m in self.indicateurs]
        erreurs = [
            f"indicateur « {i} » défini deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        for m in self.indicateurs:
            if m.source.source not in self.sources:
                erreurs.append(f"indicateur « {m.id} » : source inconnue « {m.source.source} »")
            if m.source.ligne is not None and not m.source.source.startswith("seed_"):
                erreurs.append(f"indicateur « {m.id} » : une ligne se cite dans un fichier de graine")
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    def citer(self, m: ModeleIndicateur) -> str:
        if m.source.ligne is not None:
            return f"graine {m.source.source.removeprefix('seed_')}:{m.source.ligne}"
        return self.sources[m.source.source].titre


class ModelesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> Modeles:
    return lire_yaml(texte, Modeles, "modèle d'indicateurs", ModelesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "indicateurs", lire, ModelesInvalides, "Modèle d'indicateurs v{numero} introuvable."
)


def en_vigueur() -> Modeles:
    return _VERSIONS.en_vigueur()

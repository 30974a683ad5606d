"""Le jeu de départ des règles d'usage, livré en YAML versionné (`depart/regles-depart-v<N>.yaml`) et
validé par le schéma ci-dessous : chaque règle a un sens (à faire, à ne pas faire), un texte court
écrit dans les mots de Balise et ses sources sous la forme « fichier:ligne » d'une graine déclarée."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

DOSSIER = Path(__file__).parent / "depart"
# Les limites d'une règle, communes au jeu de départ et aux règles composées par l'organisation : la
# version imprimable tient alors sur une page (tests/test_regles_usage.py, 40 règles de 400 caractères).
LONGUEUR_REGLE = 400
NOMBRE_MAX_REGLES = 40

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")]
Texte = Annotated[str, Field(min_length=1, max_length=LONGUEUR_REGLE)]
SOURCE = re.compile(r"^(?P<fichier>0\d\d_[0-9a-f]{16}\.txt):(?P<debut>\d+)(?:-(?P<fin>\d+))?$")
Sens = Literal["faire", "ne_pas_faire"]


class DepartInvalide(DonneesInvalides):
    """Le jeu de départ refusé par son schéma."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegleDepart(Strict):
    id: Identifiant
    sens: Sens
    theme: Annotated[str, Field(min_length=1, max_length=80)]
    texte: Texte
    sources: list[str] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _sources(self) -> RegleDepart:
        for source in self.sources:
            m = SOURCE.match(source)
            if m is None:
                raise ValueError(f"la règle « {self.id} » : source « {source} » hors du format fichier:ligne")
            if m["fin"] and int(m["fin"]) < int(m["debut"]):
                raise ValueError(f"la règle « {self.id} » : lignes « {source} » à l'envers")
        return self


class JeuDepart(Strict):
    version: int = Field(ge=1)
    titre: Annotated[str, Field(min_length=1, max_length=200)]
    introduction: Annotated[str, Field(min_length=1, max_length=1000)]
    sources: dict[str, Annotated[str, Field(min_length=1, max_length=400)]]
    regles: list[RegleDepart] = Field(min_length=1, max_length=NOMBRE_MAX_REGLES)

    @model_validator(mode="after")
    def _coherence(self) -> JeuDepart:
        erreurs = []
        ids = [r.id for r in self.regles]
        erreurs += [
            f"la règle « {i} » figure deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        for regle in self.regles:
            for source in regle.sources:
                fichier = source.split(":", 1)[0]
                if fichier not in self.sources:
                    erreurs.append(f"la règle « {regle.id} » cite « {fichier} », absent de `sources`")
        for sens in ("faire", "ne_pas_faire"):
            if not any(r.sens == sens for r in self.regles):
                erreurs.append(f"aucune règle de sens « {sens} »")
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self


def valider(texte: str) -> JeuDepart:
    return lire_yaml(texte, JeuDepart, "jeu de départ", DepartInvalide)


VERSIONS = FichiersVersionnes(
    DOSSIER, "regles-depart", valider, DepartInvalide, "Jeu de départ des règles v{numero} introuvable."
)


def en_vigueur() -> JeuDepart:
    return VERSIONS.version(max(VERSIONS.fichiers))

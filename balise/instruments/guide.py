"""Le guide des instruments : lequel sert à quel moment d'un projet, pour quelle question.

Données versionnées (`guide/guide-v<N>.yaml`), chaque usage adossé au passage d'une seed qu'il cite
(« fichier:lignes ») ; ce module les valide et vérifie qu'elles disent la même chose que les
définitions livrées : un instrument du guide existe, et ses moments sont exactement ceux que prévoit
sa définition, ceux qu'offre le formulaire d'ouverture d'une évaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

from .definition import LIBELLES_MOMENTS, Definition, Moment, definitions_livrees
from .models import DefinitionInstrument

DOSSIER = Path(__file__).parent / "guide"
SOURCE = re.compile(r"^(?P<fichier>0\d\d_[0-9a-f]{16}\.txt):(?P<debut>\d+)(?:-(?P<fin>\d+))?$")
Texte = Annotated[str, Field(min_length=1, max_length=400)]


class GuideInvalide(DonneesInvalides):
    """Le guide refusé par son schéma ou par les définitions livrées."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MomentGuide(Strict):
    question: Texte
    explication: Texte


class UsageInstrument(Strict):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
    question: Texte
    source: str
    auteurs: Texte
    usages: dict[Moment, Texte] = Field(min_length=1)

    @model_validator(mode="after")
    def _source(self) -> UsageInstrument:
        m = SOURCE.match(self.source)
        if m is None:
            raise ValueError(f"« {self.code} » : source « {self.source} » hors du format fichier:lignes")
        if m["fin"] and int(m["fin"]) < int(m["debut"]):
            raise ValueError(f"« {self.code} » : lignes « {self.source} » à l'envers")
        return self

    @property
    def seed(self) -> str:
        """« seed 004, lignes 447-451 » : la référence lisible du passage."""
        fichier, lignes = self.source.split(":", 1)
        return f"seed {fichier[:3]}, ligne{'s' if '-' in lignes else ''} {lignes}"


class Guide(Strict):
    version: int = Field(ge=1)
    moments: dict[Moment, MomentGuide]
    instruments: list[UsageInstrument] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherence(self) -> Guide:
        if set(self.moments) != set(Moment):
            raise ValueError("chaque moment d'un projet doit être expliqué dans « moments »")
        codes = [u.code for u in self.instruments]
        if len(set(codes)) != len(codes):
            raise ValueError("un instrument figure deux fois dans le guide")
        return self


def valider(texte: str) -> Guide:
    return lire_yaml(texte, Guide, "guide", GuideInvalide)


def verifier_definitions(guide: Guide, definitions: list[Definition]) -> list[str]:
    """Ce qui, dans le guide, contredit les définitions livrées (vide si rien)."""
    par_code = {d.id: d for d in definitions}
    erreurs = []
    for usage in guide.instruments:
        definition = par_code.get(usage.code)
        if definition is None:
            erreurs.append(f"le guide cite l'instrument inconnu « {usage.code} »")
        elif set(usage.usages) != set(definition.moments):
            prevus = ", ".join(sorted(definition.moments))
            erreurs.append(f"« {usage.code} » : le guide doit décrire exactement ses moments ({prevus})")
    erreurs += [
        f"« {code} » n'est pas dans le guide"
        for code in sorted(set(par_code) - {u.code for u in guide.instruments})
    ]
    return erreurs


VERSIONS = FichiersVersionnes(DOSSIER, "guide", valider, GuideInvalide, "Le guide v{numero} n'existe pas.")


def guide() -> Guide:
    return VERSIONS.en_vigueur()


@dataclass(frozen=True)
class Conseil:
    """Un instrument à un moment : ce qu'il y apporte, la question qu'il aide à trancher, sa source."""

    usage: UsageInstrument
    apport: str
    instrument: DefinitionInstrument | None  # la version que l'organisation utiliserait (None : aucune)


@dataclass(frozen=True)
class Etape:
    moment: Moment
    libelle: str
    sens: MomentGuide
    conseils: list[Conseil]


def par_moment(courants: list[DefinitionInstrument]) -> list[Etape]:
    """Le guide rangé par moment du projet, relié aux versions courantes des instruments de l'organisation."""
    g = guide()
    par_code = {i.code: i for i in courants}
    return [
        Etape(
            moment,
            LIBELLES_MOMENTS[moment],
            g.moments[moment],
            [Conseil(u, u.usages[moment], par_code.get(u.code)) for u in g.instruments if moment in u.usages],
        )
        for moment in Moment
    ]


def verifier_guide_livre() -> None:
    """Refuse un guide livré en désaccord avec les définitions livrées (appelé par les tests)."""
    erreurs = verifier_definitions(guide(), definitions_livrees())
    if erreurs:
        raise GuideInvalide(erreurs)

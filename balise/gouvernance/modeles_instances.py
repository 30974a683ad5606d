"""Les modèles d'instances livrés avec Balise (`modeles/instances-v<N>.yaml`) : schéma et lecture.

Un modèle est un point de départ qu'une organisation adapte à la création d'une instance : nom,
mission, nature, collèges proposés, fonctions, quorum, règle de vote, publicité des avis, périodicité.
Chaque modèle cite ses sources (fichier de seed et ligne, ou texte de loi) ; le schéma refuse un
fichier incohérent avec un message en français (balise/validation.py).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, get_args

from django.core.exceptions import ImproperlyConfigured
from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

from .models import Instance, Membre

DOSSIER = Path(__file__).parent / "modeles"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]
Nom = Annotated[str, Field(min_length=1, max_length=200)]

Nature = Literal["consultative", "decisionnelle"]
RegleVote = Literal["majorite_simple", "majorite_absolue", "deux_tiers", "consensus"]
Fonction = Literal["president", "secretaire", "membre", "invite"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    titre: Texte
    url: str | None = None


class Reference(Strict):
    """Une source citée : une ligne d'un fichier de seed, un article d'un texte, ou le texte entier."""

    source: Identifiant
    ligne: int | None = Field(default=None, ge=1)
    article: str | None = Field(default=None, min_length=1, max_length=400)


class ModeleInstance(Strict):
    id: Identifiant
    nom: Nom
    mission: Texte
    nature: Nature
    colleges: list[Nom] = Field(default_factory=list, max_length=12)
    fonctions: list[Fonction] = Field(min_length=1)
    quorum_pourcent: int = Field(ge=0, le=100)
    regle_vote: RegleVote
    avis_publics: bool
    periodicite: str = Field(default="", max_length=200)
    references: list[Reference] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherence(self) -> ModeleInstance:
        erreurs = []
        doublons = sorted({c for c in self.colleges if self.colleges.count(c) > 1})
        erreurs += [f"le collège « {c} » est proposé deux fois" for c in doublons]
        if len(set(self.fonctions)) != len(self.fonctions):
            erreurs.append("une fonction est citée deux fois")
        if erreurs:
            raise ValueError(f"modèle « {self.id} » : " + " ; ".join(erreurs))
        return self


class Modeles(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    modeles: list[ModeleInstance] = Field(min_length=1)

    @cached_property
    def par_id(self) -> dict[str, ModeleInstance]:
        return {m.id: m for m in self.modeles}

    @model_validator(mode="after")
    def _coherence(self) -> Modeles:
        ids = [m.id for m in self.modeles]
        erreurs = [f"modèle « {i} » défini deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})]
        for modele in self.modeles:
            erreurs += [
                f"modèle « {modele.id} » : source inconnue « {r.source} »"
                for r in modele.references
                if r.source not in self.sources
            ]
            erreurs += [
                f"modèle « {modele.id} » : une ligne se cite dans un fichier de seed, pas dans « {r.source} »"
                for r in modele.references
                if r.ligne is not None and not r.source.startswith("seed_")
            ]
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self

    def citer(self, modele: ModeleInstance) -> list[str]:
        """Les sources d'un modèle, lisibles : « seed 001:912 », « Code général … — article L251-5 »."""
        citees = []
        for r in modele.references:
            if r.ligne is not None:
                citees.append(f"seed {r.source.removeprefix('seed_')}:{r.ligne}")
            elif r.article:
                citees.append(f"{self.sources[r.source].titre} — {r.article}")
            else:
                citees.append(self.sources[r.source].titre)
        return citees


class ModelesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> Modeles:
    return lire_yaml(texte, Modeles, "modèles d'instances", ModelesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "instances", lire, ModelesInvalides, "Modèles d'instances v{numero} introuvables."
)


def fichiers() -> dict[int, Path]:
    return _VERSIONS.fichiers


def en_vigueur() -> Modeles:
    """La version la plus récente des modèles (une instance garde l'identifiant de son modèle)."""
    return _VERSIONS.en_vigueur()


# Les valeurs du schéma sont celles des modèles Django : vérifié au chargement, pas seulement en test.
for _litteral, _choix in (
    (Nature, Instance.Nature),
    (RegleVote, Instance.RegleVote),
    (Fonction, Membre.Fonction),
):
    if set(get_args(_litteral)) != set(_choix.values):
        raise ImproperlyConfigured(f"Les modèles d'instances et {_choix.__qualname__} divergent.")

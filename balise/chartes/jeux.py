"""Les jeux de principes livrés (`principes/<identifiant>-v<N>.yaml`) : leur schéma et leur lecture.

Chaque jeu cite sa source (document et lignes de la graine) ; les titres des principes sont ceux de la
source, les explications sont écrites par Balise. Une organisation compose sa charte à partir d'un ou
plusieurs jeux (services.composer) : les principes choisis y sont copiés, puis modifiables.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, lire_yaml

DOSSIER = Path(__file__).parent / "principes"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
Titre = Annotated[str, Field(min_length=1, max_length=200)]
Texte = Annotated[str, Field(min_length=1, max_length=1000)]
# « fichier de la graine:ligne », par exemple « 001_6d261824628c0297.txt:356 ».
Reference = Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt:\d+(-\d+)?$")]


class JeuInvalide(DonneesInvalides):
    """Un fichier de jeu de principes refusé."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    auteur: Titre
    document: Annotated[str, Field(min_length=1, max_length=400)]
    graine: Annotated[str, Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")]
    lignes: Annotated[str, Field(pattern=r"^\d+(-\d+)?$")]


class Principe(_Strict):
    id: Identifiant
    titre: Titre
    explication: Texte
    source: Reference


class Jeu(_Strict):
    identifiant: Identifiant
    version: Annotated[int, Field(ge=1)]
    titre: Titre
    source: Source
    presentation: Texte
    principes: Annotated[list[Principe], Field(min_length=1, max_length=30)]

    @model_validator(mode="after")
    def _coherent(self) -> Jeu:
        ids = [p.id for p in self.principes]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"principes en double : {', '.join(doubles)}")
        for p in self.principes:
            if not p.source.startswith(self.source.graine + ":"):
                raise ValueError(f"le principe {p.id} cite une autre graine que celle du jeu")
        return self

    def principe(self, identifiant: str) -> Principe | None:
        return next((p for p in self.principes if p.id == identifiant), None)


def lire(texte: str) -> Jeu:
    return lire_yaml(texte, Jeu, "jeu", JeuInvalide)


@cache
def tous() -> tuple[Jeu, ...]:
    """Les jeux livrés, dans leur dernière version, triés par titre. Deux fichiers d'un même
    identifiant : la version la plus haute est retenue."""
    retenus: dict[str, Jeu] = {}
    for chemin in sorted(DOSSIER.glob("*-v*.yaml")):
        jeu = lire(chemin.read_text(encoding="utf-8"))
        attendu = f"{jeu.identifiant}-v{jeu.version}.yaml"
        if chemin.name != attendu:
            raise JeuInvalide([f"{chemin.name} devrait s'appeler {attendu}"])
        if jeu.identifiant not in retenus or retenus[jeu.identifiant].version < jeu.version:
            retenus[jeu.identifiant] = jeu
    return tuple(sorted(retenus.values(), key=lambda j: j.titre))


def jeu(identifiant: str) -> Jeu | None:
    return next((j for j in tous() if j.identifiant == identifiant), None)


def principe(reference: str) -> tuple[Jeu, Principe] | None:
    """« jeu/principe » → le jeu et le principe, ou None."""
    if not isinstance(reference, str) or reference.count("/") != 1:
        return None
    nom_jeu, nom_principe = reference.split("/")
    trouve = jeu(nom_jeu)
    p = trouve.principe(nom_principe) if trouve else None
    return (trouve, p) if trouve and p else None

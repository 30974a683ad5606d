"""Précision et rappel du repérage sur un corpus annoté (tests et banc : docs/passerelle.md).

Rappel : une donnée annotée compte comme trouvée si des trouvailles de son type en couvrent tous les
caractères (hors espaces) — une moitié de nom masquée laisse fuir l'autre. Précision : une trouvaille
est juste si elle chevauche une donnée annotée de son type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from balise.passerelle.donnees_personnelles import Trouvaille, analyser


@dataclass
class Mesure:
    annotees: int = 0
    trouvees: int = 0
    proposees: int = 0
    justes: int = 0

    @property
    def rappel(self) -> float:
        return self.trouvees / self.annotees if self.annotees else 1.0

    @property
    def precision(self) -> float:
        return self.justes / self.proposees if self.proposees else 1.0


def _couverte(texte: str, entite: Mapping[str, Any], trouvailles: Sequence[Trouvaille]) -> bool:
    couverts: set[int] = set()
    for t in trouvailles:
        if t.type == entite["type"]:
            couverts.update(range(t.debut, t.fin))
    return all(i in couverts for i in range(entite["debut"], entite["fin"]) if not texte[i].isspace())


def mesurer(documents: Iterable[Mapping[str, Any]]) -> dict[str, Mesure]:
    """Par type de donnée, sur des documents {texte, termes_propres, entites: [{debut, fin, type}]}."""
    mesures: dict[str, Mesure] = {}
    for document in documents:
        texte, entites = document["texte"], document["entites"]
        trouvailles = analyser(texte, document.get("termes_propres", ()))
        for entite in entites:
            mesure = mesures.setdefault(entite["type"], Mesure())
            mesure.annotees += 1
            mesure.trouvees += _couverte(texte, entite, trouvailles)
        for t in trouvailles:
            mesure = mesures.setdefault(t.type, Mesure())
            mesure.proposees += 1
            mesure.justes += any(
                e["type"] == t.type and e["debut"] < t.fin and t.debut < e["fin"] for e in entites
            )
    return dict(sorted(mesures.items()))

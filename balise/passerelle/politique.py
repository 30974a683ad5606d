"""Ce que la passerelle fait d'une requête : l'envoyer, la pseudonymiser ou la refuser.

Fonctions pures : les trouvailles de l'analyse (donnees_personnelles.py), les classes que le catalogue
permet au modèle choisi, les autres modèles du catalogue, et le traitement de chaque classe lu dans
`regles/traitement-v<N>.yaml`. La décision porte ses raisons, en français, pour l'agent et le journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from balise.passerelle.donnees_personnelles import INTERNE, PERSONNELLE, PUBLIQUE, SENSIBLE, Trouvaille
from balise.validation import (
    DonneesInvalides,
    FichiersVersionnes,
    Reference,
    Source,
    Strict,
    lire_yaml,
    references_inconnues,
)

DOSSIER = Path(__file__).parent / "regles"
CLASSES = (PUBLIQUE, INTERNE, PERSONNELLE, SENSIBLE)
LIBELLES_CLASSES = {
    PUBLIQUE: "publiques",
    INTERNE: "internes",
    PERSONNELLE: "personnelles",
    SENSIBLE: "sensibles",
}

ENVOYER, PSEUDONYMISER, REFUSER = "envoyer", "pseudonymiser", "refuser"


class TraitementClasse(Strict):
    traitement: Literal["pseudonymiser", "refuser"]
    motif: Annotated[str, Field(max_length=2000)] = ""
    references: list[Reference]


class ReglesTraitement(Strict):
    version: int = Field(ge=1)
    titre: str
    mise_a_jour: date
    sources: dict[str, Source]
    classes: dict[Literal["publique", "interne", "personnelle", "sensible"], TraitementClasse]

    @model_validator(mode="after")
    def _coherence(self) -> ReglesTraitement:
        erreurs = [f"classe « {c} » sans traitement" for c in CLASSES if c not in self.classes]
        for nom, classe in self.classes.items():
            erreurs += references_inconnues(nom, classe.references, self.sources)
        if erreurs:
            raise ValueError("; ".join(erreurs))
        return self


class ReglesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> ReglesTraitement:
    return lire_yaml(texte, ReglesTraitement, "règles de traitement", ReglesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "traitement", lire, ReglesInvalides, "Règles de traitement v{numero} introuvables."
)


def en_vigueur() -> ReglesTraitement:
    return _VERSIONS.en_vigueur()


@dataclass(frozen=True)
class ModeleDisponible:
    """Ce que la décision sait d'un modèle du catalogue : son nom affiché et ses classes permises."""

    libelle: str
    classes: frozenset[str]


@dataclass(frozen=True)
class Decision:
    action: str  # ENVOYER, PSEUDONYMISER ou REFUSER
    a_pseudonymiser: tuple[Trouvaille, ...] = ()
    # Types de données (libellés) qui ont fait refuser, et modèles du catalogue qui pourraient les recevoir.
    refusees: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    classes_trouvees: frozenset[str] = field(default_factory=frozenset)

    @property
    def message(self) -> str:
        """Ce que l'agent lit : rien pour un envoi, ce qui a été masqué, ou pourquoi rien n'est parti."""
        if self.action == REFUSER:
            trouvees = ", ".join(self.refusees)
            ailleurs = (
                f" Modèle{'s' if len(self.alternatives) > 1 else ''} du catalogue autorisé"
                f"{'s' if len(self.alternatives) > 1 else ''} à les recevoir : "
                + ", ".join(f"« {m} »" for m in self.alternatives)
                + "."
                if self.alternatives
                else " Aucun modèle du catalogue n'est autorisé à les recevoir : retirez-les du texte."
            )
            return (
                "Rien n'a été envoyé. Votre texte contient des données que ce modèle ne peut pas recevoir : "
                f"{trouvees}.{ailleurs}"
            )
        if self.action == PSEUDONYMISER:
            types = _libelles(self.a_pseudonymiser)
            return (
                f"Remplacés par des marques avant l'envoi, puis remis dans la réponse : {', '.join(types)}."
            )
        return ""


def _libelles(trouvailles: Iterable[Trouvaille]) -> list[str]:
    return list(dict.fromkeys(t.libelle.lower() for t in trouvailles))


def decider(
    trouvailles: Sequence[Trouvaille],
    permises: Iterable[str],
    catalogue: Sequence[ModeleDisponible] = (),
    regles: ReglesTraitement | None = None,
) -> Decision:
    """La décision pour un texte dont on a trouvé `trouvailles`, vers un modèle qui peut recevoir les
    classes `permises`. Une donnée permise part telle quelle ; les autres suivent le traitement de leur
    classe. Un seul refus suffit à ne rien envoyer : une requête ne part jamais à moitié."""
    regles = regles or en_vigueur()
    permises = frozenset(permises) | {PUBLIQUE}
    interdites = [t for t in trouvailles if t.classe not in permises]
    trouvees = frozenset(t.classe for t in trouvailles)
    refus = [t for t in interdites if regles.classes[t.classe].traitement == REFUSER]  # type: ignore[index]
    if refus:
        classes_refusees = {t.classe for t in refus}
        return Decision(
            action=REFUSER,
            refusees=tuple(_libelles(refus)),
            alternatives=tuple(m.libelle for m in catalogue if classes_refusees <= m.classes),
            classes_trouvees=trouvees,
        )
    if interdites:
        return Decision(action=PSEUDONYMISER, a_pseudonymiser=tuple(interdites), classes_trouvees=trouvees)
    return Decision(action=ENVOYER, classes_trouvees=trouvees)

"""Le moteur des portes du cycle de vie : des faits connus d'un système et d'une politique à la liste
de contrôle d'une porte, sans base de données.

Toute la politique est dans `politiques/portes-v<N>.yaml` ; ce module sait seulement évaluer chaque
type de critère sur des `Faits` (rassemblés par `faits.py`). Chaque ligne dit si le critère est
rempli, pourquoi, s'il est bloquant, et où le remplir (`cible`, que les pages traduisent en lien).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .politique import CHAMPS_FICHE, Critere, Politique, Porte

# Les stades du cycle de vie dans leur ordre (registre/cycle_de_vie.py), sans dépendre de Django.
ORDRE_STADES = ("idee", "etude", "experimentation", "decision", "production")
STADES_FINAUX = frozenset({"arret", "abandon"})
PUBLICATION = "publication"

Cible = Literal["fiche", "evaluations", "qualification", "obligation", "decisions", "conditions"]

LIBELLES_STATUTS = {"en_cours": "en cours", "finalisee": "finalisée"}
OBLIGATION_TERMINEE = frozenset({"faite", "sans_objet"})
LIBELLES_SENS = {
    "experimenter": "expérimenter",
    "mettre_en_production": "mettre en production",
    "poursuivre": "poursuivre",
    "arreter": "arrêter",
    "abandonner": "abandonner",
}


@dataclass(frozen=True)
class Faits:
    """Ce que Balise sait d'un système au moment de vérifier une porte."""

    champs_renseignes: frozenset[str] = frozenset()
    # (code de l'instrument, moment, statut) de chaque évaluation du système.
    evaluations: tuple[tuple[str, str, str], ...] = ()
    qualifie: bool = False
    a_requalifier: bool = False
    # Libellés des pratiques interdites que retient la qualification actuelle.
    pratiques_interdites: tuple[str, ...] = ()
    # Obligations applicables : code → (statut, identifiant de l'obligation suivie).
    obligations: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    derniere_decision: str | None = None
    conditions_en_attente: int = 0


@dataclass(frozen=True)
class Ligne:
    id: str
    libelle: str
    remplie: bool
    bloquante: bool
    motif: str
    cible: Cible
    cible_pk: int | None = None


@dataclass(frozen=True)
class Controle:
    """La liste de contrôle d'une porte pour un système."""

    porte: str
    libelle: str
    explication: str
    lignes: list[Ligne]

    @property
    def franchie(self) -> bool:
        return all(ligne.remplie for ligne in self.lignes)

    @property
    def bloquee(self) -> bool:
        """Un critère bloquant n'est pas rempli : personne ne peut passer, même en le justifiant."""
        return any(not ligne.remplie and ligne.bloquante for ligne in self.lignes)

    @property
    def manquants(self) -> list[Ligne]:
        return [ligne for ligne in self.lignes if not ligne.remplie]

    def resume_manquants(self) -> str:
        return " ; ".join(f"{ligne.libelle} ({ligne.motif})" for ligne in self.manquants)


def _champs(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    vides = [c for c in critere.champs if c not in faits.champs_renseignes]
    libelles = ", ".join(CHAMPS_FICHE.get(c, c) for c in vides)
    motif = "renseignés" if not vides else f"à renseigner : {libelles}"
    return not vides, motif, "fiche", None


def _evaluation(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    statuts = set(critere.statuts) or {"en_cours", "finalisee"}
    trouvees = [
        statut
        for instrument, moment, statut in faits.evaluations
        if instrument == critere.instrument and (not critere.moments or moment in critere.moments)
    ]
    retenues = [s for s in trouvees if s in statuts]
    if retenues:
        return True, f"évaluation {LIBELLES_STATUTS.get(retenues[0], retenues[0])}", "evaluations", None
    if trouvees:
        attendus = " ou ".join(LIBELLES_STATUTS.get(s, s) for s in sorted(statuts))
        return False, f"évaluation ouverte, mais pas encore {attendus}", "evaluations", None
    return False, "aucune évaluation", "evaluations", None


def _qualification(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    if not faits.qualifie:
        return False, "système non qualifié", "qualification", None
    if faits.a_requalifier:
        return False, "la fiche a changé depuis : qualification à refaire", "qualification", None
    return True, "qualification à jour", "qualification", None


def _obligations(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    ouvertes = [
        faits.obligations[code][1]
        for code in critere.obligations
        if code in faits.obligations and faits.obligations[code][0] not in OBLIGATION_TERMINEE
    ]
    if ouvertes:
        return False, "obligation encore à remplir", "obligation", ouvertes[0]
    if not faits.qualifie:
        # Sans qualification, on ne sait pas si l'obligation s'applique : le critère attend.
        return False, "qualifiez d'abord le système pour savoir si elle s'applique", "qualification", None
    if any(code in faits.obligations for code in critere.obligations):
        return True, "faite ou sans objet", "obligation", faits.obligations[critere.obligations[0]][1]
    return True, "ne s'applique pas selon la qualification", "qualification", None


def _decision(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    if faits.derniere_decision is None:
        return False, "aucune décision consignée", "decisions", None
    libelle = LIBELLES_SENS.get(faits.derniere_decision, faits.derniere_decision)
    if faits.derniere_decision in critere.sens:
        return True, f"dernière décision : {libelle}", "decisions", None
    return False, f"la dernière décision est « {libelle} »", "decisions", None


def _conditions(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    n = faits.conditions_en_attente
    if n:
        return False, f"{n} condition{'s' if n > 1 else ''} à lever", "conditions", None
    return True, "aucune condition en attente", "conditions", None


def _pratique_interdite(critere: Critere, faits: Faits) -> tuple[bool, str, Cible, int | None]:
    if faits.pratiques_interdites:
        return False, "; ".join(faits.pratiques_interdites), "qualification", None
    if not faits.qualifie:
        return True, "aucune qualification ne conclut à une pratique interdite", "qualification", None
    return True, "aucune pratique interdite retenue", "qualification", None


_EVALUER = {
    "champs_renseignes": _champs,
    "evaluation": _evaluation,
    "qualification_a_jour": _qualification,
    "obligation_remplie": _obligations,
    "decision": _decision,
    "conditions_levees": _conditions,
    "aucune_pratique_interdite": _pratique_interdite,
}


def controler(politique: Politique, porte: str, faits: Faits) -> Controle | None:
    """La liste de contrôle de la porte `porte` (un stade ou « publication ») ; None sans porte."""
    definition: Porte | None = politique.portes.get(porte)  # type: ignore[call-overload]  # clé littérale
    if definition is None:
        return None
    lignes = []
    for critere in definition.criteres:
        remplie, motif, cible, cible_pk = _EVALUER[critere.type](critere, faits)
        lignes.append(Ligne(critere.id, critere.libelle, remplie, critere.bloquant, motif, cible, cible_pk))
    return Controle(porte, definition.libelle, definition.explication, lignes)


def prochaine_porte(politique: Politique, stade: str) -> str | None:
    """La porte du premier stade à venir qui en a une (rien pour un système arrêté ou abandonné)."""
    if stade in STADES_FINAUX or stade not in ORDRE_STADES:
        return None
    suivants = ORDRE_STADES[ORDRE_STADES.index(stade) + 1 :]
    return next((s for s in suivants if s in politique.portes), None)

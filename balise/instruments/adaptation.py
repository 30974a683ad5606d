"""Adapter un instrument par formulaire : les changements d'une personne appliqués à une définition.

Fonctions pures. Le résultat est une définition en données, validée ensuite par `definition.valider`,
le même schéma que le chemin YAML (une seule règle) ; les messages du schéma, qui nomment un chemin
(« sections.1.items.0.poids : valeur trop grande »), sont redits avec le titre de la section et le
libellé de l'item que la personne voit dans le formulaire.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .definition import Definition, DefinitionInvalide, valider


@dataclass(frozen=True)
class ChangementItem:
    """Ce que le formulaire dit d'un item existant : libellé, questions guides, poids, ou son retrait."""

    libelle: str
    questions: tuple[str, ...]
    poids: float | None
    retire: bool = False


@dataclass(frozen=True)
class NouvelItem:
    """Un item ajouté à une section (noté sur l'échelle par défaut de la définition)."""

    section: str
    libelle: str
    questions: tuple[str, ...] = ()
    poids: float | None = None


@dataclass(frozen=True)
class Changements:
    titre: str
    sections: dict[str, str]  # identifiant de section → titre
    items: dict[str, ChangementItem]  # identifiant d'item → changement
    nouveaux: list[NouvelItem] = field(default_factory=list)


def questions(texte: str) -> tuple[str, ...]:
    """Les questions guides saisies une par ligne ; lignes vides ignorées."""
    return tuple(ligne.strip() for ligne in texte.splitlines() if ligne.strip())


def _identifiant(libelle: str, pris: set[str]) -> str:
    """Un identifiant d'item tiré du libellé (« Accès aux données » → « acces_aux_donnees »), unique."""
    ascii_ = unicodedata.normalize("NFKD", libelle).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")[:50] or "item"
    if not base[0].isalnum():
        base = "item_" + base
    candidat, n = base, 2
    while candidat in pris:
        candidat, n = f"{base}_{n}", n + 1
    pris.add(candidat)
    return candidat


def appliquer(definition: Definition, changements: Changements) -> dict[str, Any]:
    """La définition changée, en données (à valider) ; les champs que le formulaire ne montre pas restent."""
    donnees = definition.model_dump(mode="json")
    donnees["titre"] = changements.titre
    pris = {item.id for item in definition.items}
    for section in donnees["sections"]:
        section["titre"] = changements.sections.get(section["id"], section["titre"])
        gardes = []
        for item in section["items"]:
            changement = changements.items.get(item["id"])
            if changement is not None:
                if changement.retire:
                    continue
                item["libelle"] = changement.libelle
                item["questions"] = list(changement.questions)
                if changement.poids is not None:
                    item["poids"] = changement.poids
            gardes.append(item)
        for nouveau in changements.nouveaux:
            if nouveau.section == section["id"]:
                ajoute: dict[str, Any] = {
                    "id": _identifiant(nouveau.libelle, pris),
                    "libelle": nouveau.libelle,
                    "questions": list(nouveau.questions),
                }
                if nouveau.poids is not None:
                    ajoute["poids"] = nouveau.poids
                gardes.append(ajoute)
        section["items"] = gardes
    return donnees


_CHEMIN = re.compile(r"^sections\.(\d+)(?:\.items\.(\d+))?(?:\.([a-z_]+))?(?:\.\d+)? : (.*)$")
_CHAMPS = {
    "libelle": "libellé",
    "questions": "questions",
    "poids": "poids",
    "titre": "titre",
    "items": "items",
}


def situer(erreurs: list[str], donnees: dict[str, Any]) -> list[str]:
    """Les messages du schéma redits avec ce que la personne voit : section et item par leur nom."""
    situees = []
    for erreur in erreurs:
        m = _CHEMIN.match(erreur)
        if m is None:
            situees.append(erreur[0].upper() + erreur[1:] if erreur else erreur)
            continue
        s, i, champ, texte = m.groups()
        try:
            section = donnees["sections"][int(s)]
            ou = f"Section « {section['titre']} »"
            if i is not None:
                ou += f", item « {section['items'][int(i)]['libelle']} »"
        except (IndexError, KeyError, TypeError):
            situees.append(erreur)
            continue
        if champ == "items" and i is None and "trop court" in texte:
            situees.append(f"{ou} : il doit lui rester au moins un item.")
        else:
            situees.append(f"{ou}{f' ({_CHAMPS.get(champ, champ)})' if champ else ''} : {texte}.")
    return situees


def apercu(definition: Definition, changements: Changements) -> tuple[Definition | None, list[str]]:
    """L'instrument tel que les évaluateurs le verront après ces changements, ou les erreurs en français.

    Même validation que l'enregistrement (`definition.valider`) ; le numéro de version reste celui de
    départ, Balise attribue le suivant à l'enregistrement.
    """
    donnees = appliquer(definition, changements)
    try:
        return valider(donnees), []
    except DefinitionInvalide as exc:
        return None, situer(exc.erreurs, donnees)

"""Reprendre un registre tenu dans un tableur : les fonctions pures de l'import (colonnes, valeurs, lignes).

Rien ici ne lit la base ni n'écrit : `services_reprise.py` les appelle dans la requête (aperçu) et dans
le processus de fond (enregistrement). La lecture sûre du fichier est celle des tableaux d'effectifs
(balise/metiers/lecture.py), la proposition de colonnes aussi (balise/metiers/colonnes.py).

- Colonnes : chaque champ de la fiche (`CHAMPS`) est rattaché à une colonne du fichier, d'après les
  mots de son en-tête ; la personne corrige la proposition.
- Valeurs des listes (stade, domaine, type d'IA, hébergement…) : chaque valeur distincte du fichier
  est rattachée à une valeur de Balise, avec certitude si elle en est le code, le libellé ou un
  synonyme livré (`synonymes-v1.yaml`), sinon proposée (la plus proche) ou laissée à choisir. La
  valeur vide vaut pour les cellules vides, et pour toutes les lignes si la colonne est absente.
- Lignes : chaque ligne devient les champs d'une fiche, ou la liste de ses erreurs, en français.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, ConfigDict, model_validator
from rapidfuzz import fuzz, process

from balise.metiers.colonnes import Champ, colonnes_en_double, proposer_parmi, simplifier
from balise.metiers.lecture import ressemble_a_une_formule
from balise.validation import DonneesInvalides, lire_yaml

from ..cycle_de_vie import Stade
from ..referentiels import Cible, Domaine, Hebergement, Positionnement, Realisation, TypeIA

TEXTE, LISTE, OUI_NON, MONTANT, COURRIEL, IDENTIFIANT = (
    "texte",
    "liste",
    "oui_non",
    "montant",
    "courriel",
    "identifiant",
)


@dataclass(frozen=True)
class ChampFiche(Champ):
    genre: str = TEXTE
    longueur: int = 200


CHAMPS: tuple[ChampFiche, ...] = (
    ChampFiche(
        "identifiant_externe",
        "Identifiant dans votre registre (pour les mises à jour)",
        False,
        ("identifiant", "id", "ref", "reference", "numero", "n", "code"),
        IDENTIFIANT,
        100,
    ),
    ChampFiche("nom", "Nom du système", True, ("nom", "systeme", "outil", "projet", "intitule", "titre")),
    ChampFiche(
        "finalite",
        "Finalité",
        True,
        ("finalite", "objet", "objectif", "description", "usage"),
        longueur=10_000,
    ),
    ChampFiche("service", "Service porteur", True, ("service", "direction", "pole", "porteur")),
    ChampFiche("responsable", "Responsable", True, ("responsable", "referent", "chef", "pilote")),
    ChampFiche("stade", "Stade", False, ("stade", "etat", "statut", "avancement", "phase"), LISTE),
    ChampFiche(
        "domaine", "Domaine", False, ("domaine", "thematique", "politique publique", "secteur"), LISTE
    ),
    ChampFiche("type_ia", "Type d'IA", False, ("type", "technologie", "nature"), LISTE),
    ChampFiche(
        "cible",
        "Utilisateurs et bénéficiaires",
        False,
        ("cible", "utilisateurs", "beneficiaires", "public"),
        LISTE,
    ),
    ChampFiche("positionnement", "Positionnement", False, ("positionnement",), LISTE),
    ChampFiche("realisation", "Réalisation", False, ("realisation", "mode", "developpement"), LISTE),
    ChampFiche("hebergement", "Lieu d'hébergement", False, ("hebergement", "localisation", "pays"), LISTE),
    ChampFiche(
        "fournisseur", "Fournisseur ou éditeur", False, ("fournisseur", "editeur", "prestataire", "solution")
    ),
    ChampFiche("modeles", "Modèle(s) utilisé(s)", False, ("modele", "modeles", "llm"), longueur=300),
    ChampFiche("hebergeur", "Hébergeur", False, ("hebergeur", "cloud")),
    ChampFiche(
        "donnees_personnelles", "Données personnelles (oui/non)", False, ("personnelles", "rgpd"), OUI_NON
    ),
    ChampFiche("donnees_sensibles", "Données sensibles (oui/non)", False, ("sensibles",), OUI_NON),
    ChampFiche("donnees", "Données utilisées", False, ("donnees utilisees", "donnees"), longueur=10_000),
    ChampFiche(
        "decision_individuelle",
        "Décisions individuelles (oui/non)",
        False,
        ("decision", "decisions"),
        OUI_NON,
    ),
    ChampFiche(
        "usage_non_declare",
        "Usage non déclaré, « shadow IA » (oui/non)",
        False,
        ("shadow", "non declare"),
        OUI_NON,
    ),
    ChampFiche("cout_investissement", "Coût d'investissement (€)", False, ("investissement",), MONTANT),
    ChampFiche("cout_annuel", "Coût annuel (€)", False, ("annuel", "fonctionnement", "abonnement"), MONTANT),
    ChampFiche(
        "benefices_attendus", "Bénéfices attendus", False, ("benefices", "gains", "apports"), longueur=10_000
    ),
    ChampFiche(
        "supervision_humaine",
        "Supervision humaine",
        False,
        ("supervision", "controle humain"),
        longueur=10_000,
    ),
    ChampFiche("contact", "Contact pour le public", False, ("contact", "courriel", "mail"), COURRIEL, 254),
)
PAR_CODE: dict[str, ChampFiche] = {c.code: c for c in CHAMPS}
LISTES: dict[str, type] = {
    "stade": Stade,
    "domaine": Domaine,
    "type_ia": TypeIA,
    "cible": Cible,
    "positionnement": Positionnement,
    "realisation": Realisation,
    "hebergement": Hebergement,
}
# Champs à liste qu'une fiche exige : leur valeur vide doit avoir une correspondance.
LISTES_OBLIGATOIRES = ("domaine", "type_ia", "cible", "positionnement", "realisation", "hebergement")
# Le stade n'est écrit qu'à la création : ensuite il change par le cycle de vie (ses portes).
# Proposés (à vérifier) pour une colonne absente ou une cellule vide : une idée ; améliorer l'existant,
# le cas de la plupart des projets des collectivités (seed 004, diagramme adapté de Gartner).
VIDE_PAR_DEFAUT = {"stade": Stade.IDEE, "positionnement": Positionnement.AMELIORER}


def choix(champ: str) -> list[tuple[str, str]]:
    return [(str(c.value), str(c.label)) for c in LISTES[champ]]  # type: ignore[attr-defined]  # TextChoices


# --- Synonymes livrés --------------------------------------------------------------------------------


class SynonymesInvalides(DonneesInvalides):
    pass


class Synonymes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    sources: list[str]
    synonymes: dict[str, dict[str, list[str]]]

    @model_validator(mode="after")
    def _coherents(self) -> Synonymes:
        for champ, valeurs in self.synonymes.items():
            if champ not in LISTES:
                raise ValueError(f"synonymes.{champ} : champ à liste inconnu")
            codes = {c for c, _ in choix(champ)}
            vus: dict[str, str] = {}
            for code, mots in valeurs.items():
                if code not in codes:
                    raise ValueError(f"synonymes.{champ}.{code} : valeur inconnue de Balise")
                for mot in mots:
                    simple = simplifier(mot)
                    if vus.setdefault(simple, code) != code:
                        raise ValueError(f"synonymes.{champ} : « {mot} » désigne deux valeurs")
        return self


FICHIER_SYNONYMES = Path(__file__).with_name("synonymes-v1.yaml")


@cache
def synonymes() -> Synonymes:
    return lire_yaml(
        FICHIER_SYNONYMES.read_text(encoding="utf-8"), Synonymes, "synonymes", SynonymesInvalides
    )


@cache
def _connus(champ: str) -> dict[str, str]:
    """Forme simplifiée → code : codes, libellés et synonymes d'un champ à liste."""
    connus: dict[str, str] = {}
    for code, mots in synonymes().synonymes.get(champ, {}).items():
        for mot in mots:
            connus[simplifier(mot)] = code
    for code, libelle in choix(champ):
        connus[simplifier(code.replace("_", " "))] = code
        connus[simplifier(libelle)] = code
    return connus


# --- Colonnes ------------------------------------------------------------------------------------------


class ColonnesInvalides(ValueError):
    def __init__(self, erreurs: dict[str, str]) -> None:
        self.erreurs = erreurs
        super().__init__("; ".join(erreurs.values()))


def proposer_colonnes(entetes: list[str], precedentes: dict[str, str] | None = None) -> dict[str, str]:
    return proposer_parmi(CHAMPS, entetes, precedentes)


def verifier_colonnes(colonnes: Mapping[str, str], entetes: list[str]) -> dict[str, str]:
    """La correspondance choisie sans les champs laissés vides ; lève ColonnesInvalides."""
    choisies = {code: entete for code, entete in colonnes.items() if entete}
    erreurs: dict[str, str] = {}
    for code, entete in choisies.items():
        if code not in PAR_CODE:
            erreurs[code] = f"Champ « {code} » inconnu."
        elif entete not in entetes:
            erreurs[code] = f"La colonne « {entete} » n'existe pas dans le fichier."
    for champ in CHAMPS:
        if champ.obligatoire and champ.code not in choisies:
            erreurs[champ.code] = f"Indiquez la colonne qui contient « {champ.libelle} » : elle est requise."
    erreurs.update(colonnes_en_double(choisies, PAR_CODE, erreurs))
    if erreurs:
        raise ColonnesInvalides(erreurs)
    return choisies


# --- Valeurs des listes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposition:
    """La valeur de Balise proposée pour une valeur du fichier. `sure` : code, libellé ou synonyme ;
    sinon la plus proche (score de 0 à 100), à vérifier ; `code` vide : à choisir."""

    code: str
    sure: bool
    score: int = 0


SEUIL_PROPOSITION = 80


def proposer_valeur(champ: str, brute: str) -> Proposition:
    simple = simplifier(brute)
    if not simple:
        defaut = VIDE_PAR_DEFAUT.get(champ)
        return Proposition(str(defaut), False) if defaut else Proposition("", False)
    connus = _connus(champ)
    if simple in connus:
        return Proposition(connus[simple], True, 100)
    trouve = process.extractOne(simple, list(connus), scorer=fuzz.WRatio, score_cutoff=SEUIL_PROPOSITION)
    if trouve is None:
        return Proposition("", False)
    return Proposition(connus[trouve[0]], False, round(trouve[1]))


def proposer_valeurs(
    champ: str, brutes: Iterable[str], retenues: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{valeur du fichier → code} : le choix déjà retenu s'il est valable, sinon la proposition."""
    codes = {c for c, _ in choix(champ)}
    resultat: dict[str, str] = {}
    for brute in brutes:
        retenue = (retenues or {}).get(brute)
        resultat[brute] = retenue if retenue in codes else proposer_valeur(champ, brute).code
    return resultat


def valeurs_distinctes(
    lignes: Iterable[list[str]], positions: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Champ à liste → {valeur du fichier (espaces réduits) → nombre de lignes}. La valeur vide y est
    toujours pour les champs obligatoires (colonne absente ou cellule vide)."""
    comptes: dict[str, dict[str, int]] = {c: {} for c in LISTES if c in positions}
    for valeurs in lignes:
        for champ, compte in comptes.items():
            brute = " ".join(valeurs[positions[champ]].split())
            compte[brute] = compte.get(brute, 0) + 1
    for champ in LISTES:
        if champ not in positions and (champ in LISTES_OBLIGATOIRES or champ in VIDE_PAR_DEFAUT):
            comptes[champ] = {"": 0}
    return comptes


# --- Lignes ---------------------------------------------------------------------------------------------


@dataclass
class Ligne:
    """Une ligne lue : les champs d'une fiche, ou ses erreurs. `notes` : ce qui ne bloque pas."""

    numero: int
    champs: dict[str, Any] = field(default_factory=dict)
    erreurs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_OUI = {"oui", "o", "x", "vrai", "true", "yes", "y", "1"}
_NON = {"non", "n", "faux", "false", "no", "0", ""}
_MONTANT = re.compile(r"^\d{1,10}(?:\.\d{1,2})?$")


def lire_valeur(champ: ChampFiche, brute: str, valeurs: Mapping[str, str]) -> Any:
    """La valeur d'une cellule pour la fiche ; lève ValueError avec le motif, en français."""
    propre = " ".join(brute.split()) if champ.longueur <= 300 else brute.strip()
    if propre and ressemble_a_une_formule(propre):
        raise ValueError(f"{champ.libelle} : formule refusée (« {propre[:40]} »)")
    if len(propre) > champ.longueur:
        raise ValueError(f"{champ.libelle} : plus de {champ.longueur} caractères")
    if champ.genre == LISTE:
        code = valeurs.get(propre, "")
        if not code:
            if not propre:
                raise ValueError(f"{champ.libelle} : valeur manquante, choisissez celle des lignes vides")
            raise ValueError(f"{champ.libelle} : « {propre[:60]} » n'a pas de correspondance, choisissez-la")
        return code
    if champ.genre == OUI_NON:
        simple = simplifier(propre)
        if simple in _OUI:
            return True
        if simple in _NON:
            return False
        raise ValueError(f"{champ.libelle} : « {propre[:30]} » illisible (oui ou non attendu)")
    if champ.genre == MONTANT:
        nombre = re.sub(r"[\s\u202f\xa0€]|eur(os?)?$", "", propre.lower()).replace(",", ".")
        if not nombre:
            return None
        if not _MONTANT.match(nombre):
            raise ValueError(f"{champ.libelle} : « {propre[:30]} » n'est pas un montant en euros")
        try:
            return Decimal(nombre)
        except InvalidOperation:  # pragma: no cover - le motif l'exclut
            raise ValueError(f"{champ.libelle} : « {propre[:30]} » n'est pas un montant") from None
    if champ.genre == COURRIEL and propre:
        try:
            validate_email(propre)
        except ValidationError:
            raise ValueError(
                f"{champ.libelle} : « {propre[:60]} » n'est pas une adresse électronique"
            ) from None
    if champ.obligatoire and not propre:
        raise ValueError(f"{champ.libelle} : valeur manquante")
    return propre


def lire_ligne(
    numero: int,
    valeurs: list[str],
    positions: Mapping[str, int],
    correspondances: Mapping[str, Mapping[str, str]],
) -> Ligne:
    """Les champs d'une fiche d'après une ligne du fichier. Un champ à liste sans colonne prend la
    correspondance de la valeur vide (la même pour toutes les lignes)."""
    ligne = Ligne(numero)
    for champ in CHAMPS:
        position = positions.get(champ.code)
        if position is None and not (champ.genre == LISTE and "" in correspondances.get(champ.code, {})):
            continue
        brute = valeurs[position] if position is not None else ""
        try:
            ligne.champs[champ.code] = lire_valeur(champ, brute, correspondances.get(champ.code, {}))
        except ValueError as motif:
            ligne.erreurs.append(str(motif))
    return ligne


def doublons(lignes: Iterable[Ligne]) -> None:
    """Un identifiant présent sur deux lignes du fichier : les deux sont en erreur."""
    premieres: dict[str, Ligne] = {}
    for ligne in lignes:
        ident = ligne.champs.get("identifiant_externe")
        if not ident:
            continue
        premiere = premieres.setdefault(ident, ligne)
        if premiere is not ligne:
            motif = f"identifiant « {ident[:40]} » présent aux lignes {premiere.numero} et {ligne.numero}"
            ligne.erreurs.append(motif)
            if motif not in premiere.erreurs:
                premiere.erreurs.append(motif)

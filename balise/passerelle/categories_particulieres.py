"""Les catégories particulières de données (RGPD, art. 9 et 10) que la passerelle reconnaît : schéma et
lecture de `regles/categories-particulieres-v<N>.yaml`, et traduction de ses expressions en motif.

Le fichier est écrit pour être lu et complété par un juriste ou le DPO : des expressions en français,
avec une seule convention (« placé(e) ») ; ce module en fait un motif à appliquer au texte replié
(sans accents ni capitales, reconnaisseurs.replier), les sigles étant vérifiés à part en capitales.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from balise.passerelle.reconnaisseurs import MotifCategorie, ReconnaisseurCategories, replier
from balise.validation import (
    DonneesInvalides,
    FichiersVersionnes,
    Identifiant,
    Reference,
    Source,
    Strict,
    lire_yaml,
    references_inconnues,
)

DOSSIER = Path(__file__).parent / "regles"

Expression = Annotated[str, Field(min_length=1, max_length=200)]
# Terminaisons facultatives permises entre parenthèses : « placé(e) », « raison(s) », « chrétien(ne) ».
TERMINAISONS = ("e", "s", "es", "x", "ne", "le")
_TERMINAISON = re.compile(r"\((" + "|".join(TERMINAISONS) + r")\)")
# Un sigle : tout en capitales (chiffres et tirets permis), deux lettres au moins.
_SIGLE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z0-9]+(?:-[A-Z0-9]+)*$")
_PERMIS = re.compile(r"^[\w'’\-() ]+$")


def sigles(expression: str) -> set[str]:
    """Les sigles d'une expression, repliés : ils ne comptent qu'écrits en capitales dans le texte."""
    return {replier(mot) for mot in expression.split() if _SIGLE.match(mot)}


def erreur_de_syntaxe(expression: str) -> str | None:
    """Pourquoi l'expression ne peut pas devenir un motif, ou None."""
    if not _PERMIS.match(expression):
        return "caractères permis : lettres, chiffres, espaces, apostrophes, tirets, « (e) »"
    reste = _TERMINAISON.sub("", expression)
    if "(" in reste or ")" in reste:
        return "parenthèses permises seulement pour une terminaison : " + ", ".join(
            f"({t})" for t in TERMINAISONS
        )
    if not reste.strip(" '’-"):
        return "expression vide"
    return None


def motif(expression: str) -> str:
    """Le motif d'une expression, à chercher dans le texte replié : mots séparés par des espaces
    quelconques (aucun n'est exigé après une apostrophe), tiret ou espace indifférents, terminaisons
    facultatives (« placé(e) » trouve « place », « placee » et « place(e) »)."""
    morceaux: list[str] = []
    for mot in " ".join(replier(expression).split()).split(" "):
        if morceaux:
            morceaux.append(r"\s*" if morceaux[-1].endswith("'") else r"\s+")
        position, fragment = 0, ""
        for terminaison in _TERMINAISON.finditer(mot):
            lettres = re.escape(terminaison.group(1))
            fragment += _litteral(mot[position : terminaison.start()]) + rf"(?:{lettres}|\({lettres}\))?"
            position = terminaison.end()
        morceaux.append(fragment + _litteral(mot[position:]))
    return "".join(morceaux)


def _litteral(texte: str) -> str:
    # « mi-temps » s'écrit aussi « mi temps » ; « d' un » aussi « d'un » (l'apostrophe finale d'un mot
    # est traitée par `motif`).
    echappe = re.escape(texte).replace(r"\-", r"[\-\s]?")
    return echappe[:-1].replace("'", r"'\s*") + echappe[-1:] if echappe else echappe


class Situation(Strict):
    """Un terme qui ne compte que juste après un mot qui le rattache à une personne."""

    apres: list[Expression] = Field(min_length=1)
    termes: list[Expression] = Field(min_length=1)


class Categorie(Strict):
    type: Annotated[str, Field(pattern=r"^[A-Z][A-Z_]{1,39}$")]
    libelle: Annotated[str, Field(min_length=1, max_length=120)]
    fondement: Annotated[str, Field(min_length=1, max_length=300)]
    explication: Annotated[str, Field(min_length=1, max_length=2000)]
    references: list[Reference] = Field(min_length=1)
    expressions: list[Expression] = []
    situations: list[Situation] = []

    def toutes(self) -> list[str]:
        """Toutes les écritures de la catégorie, pour la vérification de syntaxe et des sigles."""
        return [*self.expressions, *(e for s in self.situations for e in (*s.apres, *s.termes))]


class CategoriesParticulieres(Strict):
    version: int = Field(ge=1)
    titre: str
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    # Listes communes, reprises par des ancres YAML ; lues pour être validées, sans autre usage.
    rattachements: dict[Identifiant, list[Expression]] = {}
    categories: dict[Identifiant, Categorie] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherence(self) -> CategoriesParticulieres:
        erreurs: list[str] = []
        types: dict[str, str] = {}
        vues: dict[str, str] = {}
        for code, categorie in self.categories.items():
            erreurs += references_inconnues(code, categorie.references, self.sources)
            if categorie.type in types:
                erreurs.append(
                    f"« {code} » : type {categorie.type} déjà pris par « {types[categorie.type]} »"
                )
            types[categorie.type] = code
            if not categorie.expressions and not categorie.situations:
                erreurs.append(f"« {code} » : ni expression ni situation")
            for expression in categorie.toutes():
                if (pourquoi := erreur_de_syntaxe(expression)) is not None:
                    erreurs.append(f"« {code} » : « {expression} » : {pourquoi}")
            # Une même expression dans deux catégories : l'agent ne saurait pas ce qui a été trouvé.
            for expression in categorie.expressions:
                cle = " ".join(replier(expression).split())
                if vues.setdefault(cle, code) != code:
                    erreurs.append(f"« {code} » : « {expression} » est déjà dans « {vues[cle]} »")
        if erreurs:
            raise ValueError("; ".join(erreurs))
        return self


class CategoriesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> CategoriesParticulieres:
    return lire_yaml(texte, CategoriesParticulieres, "catégories particulières", CategoriesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER,
    "categories-particulieres",
    lire,
    CategoriesInvalides,
    "Catégories particulières v{numero} introuvables.",
)


@functools.cache
def en_vigueur() -> CategoriesParticulieres:
    return _VERSIONS.en_vigueur()


def _alternative(expressions: list[str]) -> str:
    # La plus longue d'abord : « congé de maladie ordinaire » avant « congé de maladie ».
    motifs = sorted({motif(e) for e in expressions}, key=len, reverse=True)
    return "(?:" + "|".join(motifs) + ")"


def motif_categorie(categorie: Categorie) -> str:
    """Les expressions seules, ou un terme juste après un mot qui le rattache à une personne (sans
    espace exigé après une apostrophe : « atteinte d'un cancer », « souffre d'épilepsie »)."""
    branches = [_alternative(categorie.expressions)] if categorie.expressions else []
    for situation in categorie.situations:
        elides = [a for a in situation.apres if replier(a).rstrip().endswith("'")]
        entiers = [a for a in situation.apres if a not in elides]
        rattachements = [f"{_alternative(entiers)}\\s+"] if entiers else []
        rattachements += [f"{_alternative(elides)}\\s*"] if elides else []
        branches.append(f"(?:{'|'.join(rattachements)}){_alternative(situation.termes)}")
    return "|".join(branches)


def motifs(categories: CategoriesParticulieres) -> list[MotifCategorie]:
    return [
        MotifCategorie(c.type, motif_categorie(c), frozenset(s for e in c.toutes() for s in sigles(e)))
        for c in categories.categories.values()
    ]


@functools.cache
def reconnaisseur() -> ReconnaisseurCategories:
    """Le reconnaisseur des catégories en vigueur, construit une fois par processus."""
    return ReconnaisseurCategories(motifs(en_vigueur()))

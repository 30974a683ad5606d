"""Rapprocher les intitulés de poste d'un fichier RH des métiers du référentiel.

Les logiciels RH écrivent les métiers à leur façon : casse, accents, écriture inclusive
(« Chargé-e », « Chargé(e) », « Chargée »), préfixes de répertoire (« CNFPT - », « [A3C] »),
abréviations (« RH », « SI ») et fautes de frappe. `normaliser` ramène les deux côtés à une forme
commune ; `Apparieur` compare ensuite, dans l'ordre : à l'identique (métiers du référentiel, puis
intitulés locaux courants de `intitules_locaux`, rattachés à un métier national avec leur raison),
aux fautes de frappe près (deux lettres voisines interverties, espace ou ponctuation déplacés dans un
mot), puis de façon approchée (rapidfuzz) ; il ne qualifie de « sûr » qu'un rapprochement net, jamais
une égalité entre deux métiers. Deux lignes du référentiel de même forme et de même niveau ne font
qu'un choix. `regrouper_variantes` réunit les variantes d'un même intitulé inconnu, pour qu'une seule
décision de la revue les couvre.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# Seuils, choisis sur tests/donnees/effectifs_desordonnes.csv (scores 0–100 de `_score`, calculés sur
# les formes normalisées ; les égalités de forme sont traitées à part, en EXACT).
# SUR : les fautes de frappe d'une lettre y passent (« Jardinnier » 95, « Chargé d'acceuil » 93,
# « Assitant de gestion RH » 99) ; le meilleur métier absent du référentiel en reste loin
# (« Agent polyvalent des services techniques » 76, « Agent d'entretien » 73, « Directeur » seul 64).
SEUIL_SUR = 90
# DOUTEUX, proposition à faire confirmer : mots manquants ou voisins (« Médecin de prévention » 73,
# « Directrice générale adjointe des services » 71, « Educateur sportif » 77). Les métiers absents
# tombent presque tous en dessous (INCONNU) ; au-dessus, ils restent DOUTEUX, jamais SUR.
SEUIL_DOUTEUX = 70
# Plancher des candidats montrés : en dessous, la ressemblance ne tient qu'à quelques lettres
# (« Secrétaire de mairie » -> « Agent-e funéraire » 56, « Garde champêtre » -> « Chargé-e d'études » 59).
PLANCHER = 55
# Écart minimal entre les deux premiers métiers pour un rapprochement SUR : en deçà, ils sont à égalité
# à une ou deux lettres près et un humain tranche. Le plus petit écart juste du fichier d'essai est 8
# (« Coordinatrice enfance jeunesse éducation » : Coordonnateur-trice 96, Directeur-trice 88).
ECART_MINIMAL = 5
NOMBRE_DE_CANDIDATS = 3
# Confiance d'un intitulé local connu (table versionnée) ou d'une faute de frappe sans ambiguïté
# (lettres voisines interverties, espace ou ponctuation déplacés) : sûre, mais pas identique.
CONFIANCE_INTITULE_LOCAL = 95
CONFIANCE_FAUTE_DE_FRAPPE = 95
# Une faute de frappe n'est cherchée que dans une forme d'au moins tant de lettres : en deçà, deux
# lettres interverties font souvent un autre mot.
LETTRES_MINIMUM_FAUTE = 6


class Statut(StrEnum):
    EXACT = "exact"
    SUR = "sur"
    DOUTEUX = "douteux"
    INCONNU = "inconnu"


@dataclass(frozen=True)
class Candidat:
    libelle: str  # le libellé du référentiel, tel qu'il y figure
    score: int  # 0–100
    raison: str = ""  # rapproché par un intitulé local : pourquoi ce métier


class Alias(Protocol):
    """Un intitulé local (voir `intitules_locaux.Alias`) : le métier retenu et la raison montrée."""

    @property
    def metier(self) -> str: ...

    @property
    def raison(self) -> str: ...


@dataclass(frozen=True)
class Appariement:
    statut: Statut
    confiance: int  # 0–100
    candidats: tuple[Candidat, ...]  # meilleur d'abord ; candidats[0] est la proposition


# --- Normalisation -----------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "’‘‛ʼ`´′"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})

# Préfixes de répertoire ou de nomenclature en tête d'intitulé : « CNFPT - », « RIME- »,
# « 07/D/25 - », « [A3C] », « (A3C) », « K1302 - », « 123 : ».
_PREFIXE = re.compile(
    r"^\s*(?:"
    r"\[[^\]]*\]|\([^)]*\d[^)]*\)"  # code entre crochets, ou entre parenthèses s'il a un chiffre
    r"|(?:cnfpt|rime|cigref|cpnef|vdl|rmfp|rome|fpt|fph)\b\s*[-–—:/]?"  # répertoires connus
    r"|\w*\d\w*(?:[/.]\w+)+\s*[-–—:]?"  # code à barres obliques ou points avec un chiffre
    r"|\w*\d\w*\s*[-–—:]"  # code avec un chiffre suivi d'un séparateur (« K1302 - », « 12 : »)
    r")\s*"
)

# Marques de féminin de l'écriture inclusive, accolées au mot : « -e », « (e) », « .e », « ·e »,
# « /trice », « -ère », « -euse », « (ne) »… (après retrait des accents). Un mot entier après un
# trait d'union (« enfance-jeunesse », « Directeur/Directrice ») n'en est pas une.
_FINALES_FEMININES = r"e|es|ne|le|fe|se|euse|eresse|trice|rice|ere|iere|ice|que|ive|te|ale|elle|esse"
_MARQUE_INCLUSIVE = re.compile(
    rf"(?<=[a-z])\s?\((?:{_FINALES_FEMININES})\)"
    # « Chargé·e·s » : pluriel compris ; séparateurs typographiques voisins (⋅ ∙ ‧ : _) et espace
    # déplacé autour du point (« Chargé ·e », « Chargé. e »).
    rf"|(?<=[a-z])\s?[-·•./⋅∙‧:_]\s?(?:{_FINALES_FEMININES})(?:[·•.⋅∙‧]s)?(?![a-z])"
)

# Féminins irréguliers, puis règles de terminaison (féminin -> masculin), la plus longue d'abord.
_IRREGULIERS = {
    "cheffe": "chef",
    "publique": "public",
    "maitresse": "maitre",
}
_TERMINAISONS = (
    ("trice", "teur"),
    ("euse", "eur"),
    ("ienne", "ien"),
    ("yenne", "yen"),
    ("iere", "ier"),
    ("llere", "ller"),
    ("gere", "ger"),
    ("chere", "cher"),
    ("elle", "el"),
    ("ante", "ant"),
    ("ente", "ent"),
    ("ointe", "oint"),
    ("erte", "ert"),
    ("ale", "al"),
    ("ive", "if"),
    ("ee", "e"),
)
# Mots qui ont l'air féminins sans l'être (ou sans masculin) : laissés tels quels.
_INVARIABLES = frozenset(
    {
        *("sante", "vente", "attente", "entente", "pente", "rente", "tente", "plante", "descente"),
        *("detente", "patente", "trente", "quarante", "cinquante", "soixante"),
        *("cimetiere", "lumiere", "matiere", "carriere", "filiere", "frontiere", "maniere", "riviere"),
        *("barriere", "poussiere", "fourriere", "priere"),
        *("vaisselle", "passerelle", "echelle", "chapelle", "poubelle", "parcelle"),
        *("archive", "derive", "lessive", "olive", "missive", "initiative", "perspective", "directive"),
        *("tentative", "alternative", "coursive", "matrice", "cicatrice"),
        *("donnee", "lycee", "musee", "entree", "journee", "armee"),
    }
)
# Mots vides retirés (« ou » l'est après la réduction des formes « X ou Xe »).
_MOTS_VIDES = frozenset({"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou"})
# Abréviations courantes des fichiers RH, développées en forme normalisée.
_ABREVIATIONS = {
    "rh": "ressource humaine",
    "drh": "directeur ressource humaine",
    "si": "systeme information",
    "dsi": "directeur systeme information",
    "asvp": "agent surveillance voie public",
    "dpo": "delegue protection donnee",
    "resp": "responsable",
    "adj": "adjoint",
    "dir": "directeur",
    "gest": "gestionnaire",
    "etab": "etablissement",
}


def _masculin(mot: str) -> str:
    """Forme masculine singulière d'un mot déjà sans accents ni majuscules."""
    if len(mot) > 3 and mot.endswith("s") and not mot.endswith(("ss", "as", "is", "us")):
        mot = mot[:-1]
    if mot in _IRREGULIERS:
        return _IRREGULIERS[mot]
    if mot in _INVARIABLES or len(mot) < 5:
        return mot
    for feminin, masculin in _TERMINAISONS:
        if mot.endswith(feminin):
            return mot[: -len(feminin)] + masculin
    return mot


@lru_cache(maxsize=8192)
def normaliser(libelle: str) -> str:
    """Forme de comparaison : minuscules, sans accents, sans préfixe de répertoire, au masculin,
    sans ponctuation ni mots vides (« CNFPT - Chargé-e d’accueil » -> « charge accueil »)."""
    if not libelle:
        return ""
    texte = libelle.translate(_APOSTROPHES).translate(_LIGATURES)
    texte = unicodedata.normalize("NFKD", texte)
    texte = "".join(c for c in texte if not unicodedata.combining(c)).casefold()
    # Retrait des préfixes de répertoire, éventuellement empilés (« CNFPT - 07/D/25 - … »).
    precedent = None
    while precedent != texte:
        precedent, texte = texte, _PREFIXE.sub("", texte, count=1)
    texte = _MARQUE_INCLUSIVE.sub("", texte)
    mots = [
        developpe
        for mot in re.findall(r"[a-z0-9]+", texte)
        for developpe in _ABREVIATIONS.get(mot, _masculin(mot)).split()
        if developpe == "ou" or developpe not in _MOTS_VIDES
    ]
    # « directeur ou directeur », « aide soignant ou aide soignant », « directeur directeur »
    # (de « Directeur/Directrice ») : la forme n'est gardée qu'une fois.
    reduits: list[str] = []
    for mot in mots:
        reduits.append(mot)
        for n in (1, 2, 3):
            if reduits[-n:] == reduits[-2 * n - 1 : -n - 1] and reduits[-n - 1] == "ou":
                del reduits[-n - 1 :]
                break
            if reduits[-n:] == reduits[-2 * n : -n]:
                del reduits[-n:]
                break
    return " ".join(m for m in reduits if m != "ou")


# --- Appariement -------------------------------------------------------------------------------


def _score(requete: str, choix: str, **_: object) -> float:
    """Meilleur de `fuzz.ratio` (ordre des mots respecté) et `fuzz.token_sort_ratio` (ordre indifférent).

    Les deux comparent les chaînes entières : un intitulé court face à un libellé long (« Directeur »
    face à « Directeur-trice financier-ère ») est pénalisé par la différence de longueur. Sur le
    fichier d'essai, `token_set_ratio`, `partial_ratio` et `WRatio` donnent 90 à 100 dès qu'un
    intitulé est inclus dans un libellé (« Secrétaire », « Médecin de prévention » -> « Médecin »),
    `token_sort_ratio` seul se trompe sur « Directrice générale adjointe des services » et `ratio`
    seul perd les intitulés aux mots permutés : leur maximum ne fait aucune erreur.
    """
    return max(fuzz.ratio(requete, choix), fuzz.token_sort_ratio(requete, choix))


def _compacte(forme: str) -> str:
    """La forme sans ses espaces : un espace ou une ponctuation déplacés dans un mot n'y comptent plus."""
    return forme.replace(" ", "")


def _interversions(compacte: str) -> set[str]:
    """Les chaînes obtenues en intervertissant deux lettres voisines différentes (pas des chiffres :
    « poste 12 » et « poste 21 » sont deux postes)."""
    return {
        compacte[:i] + compacte[i + 1] + compacte[i] + compacte[i + 2 :]
        for i in range(len(compacte) - 1)
        if compacte[i] != compacte[i + 1] and compacte[i].isalpha() and compacte[i + 1].isalpha()
    }


class Apparieur:
    """Rapproche des intitulés libres d'une liste de libellés de référence (national + ajouts locaux).

    `niveaux` (libellé -> niveau d'exposition) : deux libellés de même forme et de même niveau ne font
    qu'un choix, le premier. `alias` (forme normalisée -> intitulé local) : des intitulés courants
    absents de la liste, chacun rattaché à l'un de ses libellés. Les réponses sont gardées par forme
    normalisée : un apparieur par import.
    """

    def __init__(
        self,
        libelles: Iterable[str],
        niveaux: Mapping[str, str] | None = None,
        alias: Mapping[str, Alias] | None = None,
    ) -> None:
        # Forme normalisée -> libellés distincts qui y mènent, dans l'ordre donné (doublons fusionnés).
        self._par_forme: dict[str, list[str]] = {}
        for libelle in dict.fromkeys(libelles):
            if forme := normaliser(libelle):
                self._par_forme.setdefault(forme, []).append(libelle)
        if niveaux is not None:
            for egaux in self._par_forme.values():
                if len(egaux) > 1 and len({niveaux.get(libelle) for libelle in egaux}) == 1:
                    del egaux[1:]  # même forme, même niveau : un seul choix, le résultat est le même
        # Les intitulés locaux dont le métier est dans la liste, sauf ceux que la liste a déjà (un métier
        # propre de l'organisation de même forme l'emporte).
        connus = {libelle for egaux in self._par_forme.values() for libelle in egaux}
        self._alias = {
            forme: a
            for forme, a in (alias or {}).items()
            if a.metier in connus and forme not in self._par_forme
        }
        # Toutes les formes comparées : forme -> (libellés, raison).
        self._cibles: dict[str, tuple[list[str], str]] = {
            f: (egaux, "") for f, egaux in self._par_forme.items()
        }
        self._cibles.update({f: ([a.metier], a.raison) for f, a in self._alias.items()})
        self._formes = list(self._cibles)
        self._par_compacte: dict[str, list[str]] = {}
        for forme in self._formes:
            self._par_compacte.setdefault(_compacte(forme), []).append(forme)
        self._deja_vus: dict[str, Appariement] = {}

    def apparier(self, libelle: str) -> Appariement:
        forme = normaliser(libelle or "")
        if forme not in self._deja_vus:
            self._deja_vus[forme] = self._apparier(forme)
        return self._deja_vus[forme]

    def _apparier(self, forme: str) -> Appariement:
        if not forme:
            return Appariement(Statut.INCONNU, 0, ())
        if forme in self._par_forme:
            egaux = self._par_forme[forme]
            candidats = tuple(Candidat(libelle, 100) for libelle in egaux[:NOMBRE_DE_CANDIDATS])
            if len(egaux) == 1:
                return Appariement(Statut.EXACT, 100, candidats)
            # Deux libellés de référence distincts pour la même forme : à trancher.
            return Appariement(Statut.DOUTEUX, SEUIL_SUR - 1, candidats)
        if forme in self._alias:
            a = self._alias[forme]
            return Appariement(Statut.SUR, CONFIANCE_INTITULE_LOCAL, (Candidat(a.metier, 100, a.raison),))
        if faute := self._faute_de_frappe(forme):
            return faute
        return self._approche(forme)

    def _faute_de_frappe(self, forme: str) -> Appariement | None:
        """Même forme que celle d'un seul métier (ou intitulé local), aux espaces près ou à deux lettres
        voisines interverties près. Plusieurs métiers possibles : rien (l'appariement approché tranche)."""
        compacte = _compacte(forme)
        if len(compacte) < LETTRES_MINIMUM_FAUTE:
            return None
        formes = {f for c in (compacte, *_interversions(compacte)) for f in self._par_compacte.get(c, ())}
        metiers: dict[str, str] = {}
        for f in formes:
            libelles, raison = self._cibles[f]
            for libelle in libelles:
                metiers.setdefault(libelle, raison)
        if len(metiers) != 1:
            return None
        ((libelle, raison),) = metiers.items()
        return Appariement(Statut.SUR, CONFIANCE_FAUTE_DE_FRAPPE, (Candidat(libelle, 100, raison),))

    def _approche(self, forme: str) -> Appariement:
        resultats = process.extract(forme, self._formes, scorer=_score, limit=None, score_cutoff=PLANCHER)
        # Meilleur score d'abord, puis ordre du référentiel : résultat stable d'un import à l'autre.
        resultats.sort(key=lambda r: (-round(r[1]), r[2]))
        # Un libellé atteint par plusieurs formes (la sienne, un intitulé local) n'est compté qu'une
        # fois, à son meilleur score.
        tries: dict[str, Candidat] = {}
        for choix, score, _ in resultats:
            libelles, raison = self._cibles[choix]
            for libelle in libelles:
                tries.setdefault(libelle, Candidat(libelle, round(score), raison))
        if not tries:
            return Appariement(Statut.INCONNU, 0, ())
        classes = list(tries.values())
        premier = classes[0].score
        second = classes[1].score if len(classes) > 1 else 0
        # Une quasi-égalité entre deux métiers plafonne la confiance sous le seuil SUR ; un intitulé
        # local approché aussi : il n'est qu'un rattachement par ressemblance des tâches, et sa forme
        # peut être proche d'un autre métier (« Directeur des services techniques » de « Directeur
        # technique »). Exact ou à une faute de frappe près, il a déjà été retenu plus haut.
        net = premier - second >= ECART_MINIMAL and not classes[0].raison
        confiance = premier if net else min(premier, SEUIL_SUR - 1)
        if confiance >= SEUIL_SUR:
            statut = Statut.SUR
        elif confiance >= SEUIL_DOUTEUX:
            statut = Statut.DOUTEUX
        else:
            statut = Statut.INCONNU
        return Appariement(statut, confiance, tuple(classes[:NOMBRE_DE_CANDIDATS]))


# --- Variantes d'un même intitulé ----------------------------------------------------------------


def regrouper_variantes(formes: list[str]) -> dict[str, str]:
    """Forme normalisée -> forme de tête de son groupe : les formes qui ne diffèrent que par les espaces,
    ou d'une faute de frappe (une lettre en trop, en moins, changée, ou deux voisines interverties)
    dans une forme d'au moins LETTRES_MINIMUM_FAUTE lettres, se suivent dans un même groupe. La tête
    est la première du groupe dans l'ordre donné (les plus fréquentes d'abord, chez l'appelant)."""
    compactes = [_compacte(f) for f in formes]
    parent = list(range(len(formes)))

    def racine(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Comparées seulement entre formes de longueurs voisines et aux mêmes nombres (« Poste 01 » et
    # « Poste 02 » sont deux postes, pas une faute de frappe).
    par_longueur: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    nombres = [tuple(re.findall(r"\d+", c)) for c in compactes]
    for i, c in enumerate(compactes):
        par_longueur.setdefault((len(c), nombres[i]), []).append(i)
    for i, c in enumerate(compactes):
        voisins = [
            j
            for n in (len(c) - 1, len(c), len(c) + 1)
            for j in par_longueur.get((n, nombres[i]), ())
            if j > i
        ]
        if not voisins:
            continue
        limite = 1 if len(c) >= LETTRES_MINIMUM_FAUTE else 0
        proches = process.extract(
            c, [compactes[j] for j in voisins], scorer=OSA.distance, score_cutoff=limite, limit=None
        )
        for _, _, k in proches:
            a, b = racine(i), racine(voisins[k])
            if a != b:
                parent[max(a, b)] = min(a, b)  # la tête reste la première dans l'ordre donné
    return {f: formes[racine(i)] for i, f in enumerate(formes)}

"""Les colonnes d'un tableau des effectifs : leur correspondance avec les champs de Balise, et la
lecture de chaque valeur (catégorie, sexe, quotité…) telle que les logiciels RH l'écrivent."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .lecture import ressemble_a_une_formule

LONGUEUR_MAX = 200


@dataclass(frozen=True)
class Champ:
    code: str
    libelle: str
    obligatoire: bool
    indices: tuple[str, ...]  # mots d'en-tête qui le désignent, normalisés


CHAMPS = (
    Champ(
        "metier", "Métier (intitulé du poste)", True, ("metier", "emploi", "intitule", "poste", "fonction")
    ),
    Champ("isco", "Code CITP-08 (ISCO)", False, ("citp", "isco")),
    Champ("categorie", "Catégorie (A, B, C)", False, ("categorie", "cat")),
    Champ("filiere", "Filière", False, ("filiere",)),
    Champ("direction", "Direction ou service", False, ("direction", "service", "pole", "departement")),
    Champ("cadre", "Cadre d'emplois", False, ("cadre", "grade", "corps")),
    Champ("sexe", "Sexe", False, ("sexe", "genre")),
    Champ("quotite", "Quotité ou ETP", False, ("quotite", "etp", "temps de travail", "taux d'emploi")),
)
PAR_CODE = {c.code: c for c in CHAMPS}

# En-têtes qui désignent une personne : jamais lus, jamais conservés, refusés comme colonne.
_IDENTIFIANTS = (
    "nom",
    "prenom",
    "matricule",
    "nir",
    "securite sociale",
    "naissance",
    "courriel",
    "mail",
    "adresse",
    "telephone",
    "identifiant",
    "agent",
)


class ColonnesInvalides(ValueError):
    def __init__(self, erreurs: dict[str, str]) -> None:
        self.erreurs = erreurs  # champ → message
        super().__init__("; ".join(erreurs.values()))


def simplifier(texte: str) -> str:
    """Minuscules sans accents ni ponctuation (l'apostrophe gardée) : « N° d'agent » → « n d'agent »."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9']+", " ", sans_accents.lower().replace("’", "'")).strip()


def _mots(texte: str) -> set[str]:
    return set(simplifier(texte).split())


def est_identifiante(entete: str) -> bool:
    """« Nom », « Prénom », « Matricule », « N° agent »… Un intitulé de poste n'en est pas une."""
    simple = simplifier(entete)
    if any(mot in simple for champ in CHAMPS for mot in champ.indices if " " in mot):
        return False
    mots = _mots(entete)
    if mots & {mot for champ in CHAMPS for mot in champ.indices}:
        return False
    return any(i in simple if " " in i else i in mots for i in _IDENTIFIANTS)


def proposer(entetes: list[str], precedentes: dict[str, str] | None = None) -> dict[str, str]:
    """La correspondance la plus probable : celle du dernier import quand ses en-têtes sont là,
    sinon d'après les mots des en-têtes. Une colonne ne sert qu'une fois ; jamais une identifiante."""
    return proposer_parmi(CHAMPS, entetes, precedentes, est_identifiante)


def proposer_parmi(
    champs: Sequence[Champ],
    entetes: list[str],
    precedentes: dict[str, str] | None = None,
    exclure: Callable[[str], bool] = lambda _entete: False,
) -> dict[str, str]:
    """La proposition de correspondance pour une liste de champs quelconque (effectifs, registre) :
    d'abord celle d'un import précédent si ses en-têtes sont encore là, puis, champ par champ dans
    l'ordre de `champs`, la première colonne libre dont l'en-tête contient un de ses mots. Une colonne
    ne sert qu'une fois ; `exclure` écarte les colonnes qu'on ne lit jamais."""
    par_code = {c.code for c in champs}
    proposition: dict[str, str] = {}
    prises: set[str] = set()
    for code, entete in (precedentes or {}).items():
        if code in par_code and entete in entetes and entete not in prises:
            proposition[code] = entete
            prises.add(entete)
    for champ in champs:
        if champ.code in proposition:
            continue
        for entete in entetes:
            simple = simplifier(entete)
            if entete in prises or exclure(entete):
                continue
            if any((i in simple) if " " in i else (i in simple.split()) for i in champ.indices):
                proposition[champ.code] = entete
                prises.add(entete)
                break
    return proposition


def verifier(colonnes: dict[str, str], entetes: list[str]) -> dict[str, str]:
    """La correspondance choisie, débarrassée des champs laissés vides ; lève ColonnesInvalides."""
    choisies = {code: entete for code, entete in colonnes.items() if entete}
    erreurs: dict[str, str] = {}
    for code, entete in choisies.items():
        if code not in PAR_CODE:
            erreurs[code] = f"Champ « {code} » inconnu."
        elif entete not in entetes:
            erreurs[code] = f"La colonne « {entete} » n'existe pas dans le fichier."
        elif est_identifiante(entete):
            erreurs[code] = (
                f"La colonne « {entete} » identifie des personnes : Balise ne la lit pas et ne la conserve pas."
            )
    if "metier" not in choisies:
        erreurs["metier"] = (
            "Indiquez la colonne qui contient le métier (intitulé du poste) : elle est requise."
        )
    erreurs.update(colonnes_en_double(choisies, PAR_CODE, erreurs))
    if erreurs:
        raise ColonnesInvalides(erreurs)
    return choisies


def colonnes_en_double(
    choisies: dict[str, str], champs: Mapping[str, Champ], deja: Mapping[str, str]
) -> dict[str, str]:
    """Champ → message, pour chaque colonne choisie pour un champ après l'avoir été pour un autre
    (hors champs déjà en erreur)."""
    erreurs: dict[str, str] = {}
    vues: dict[str, str] = {}
    for code, entete in choisies.items():
        if entete in vues and code not in deja:
            erreurs[code] = (
                f"La colonne « {entete} » est déjà utilisée pour « {champs[vues[entete]].libelle} »."
            )
        vues.setdefault(entete, code)
    return erreurs


# --- Valeurs ---------------------------------------------------------------------------------------


class ValeurRefusee(ValueError):
    """Le motif, en français, pour lequel une ligne est écartée."""


def texte(valeur: str, champ: str) -> str:
    propre = " ".join(valeur.split())
    if len(propre) > LONGUEUR_MAX:
        raise ValeurRefusee(f"{PAR_CODE[champ].libelle} : plus de {LONGUEUR_MAX} caractères")
    if propre and ressemble_a_une_formule(propre):
        raise ValeurRefusee(f"{PAR_CODE[champ].libelle} : formule refusée (« {propre[:40]} »)")
    return propre


def metier(valeur: str) -> str:
    propre = texte(valeur, "metier")
    if not propre:
        raise ValeurRefusee("métier vide")
    return propre


_CATEGORIE = re.compile(r"^(?:cat(?:egorie)?\.?\s*)?([abc])\+?$")


def categorie(valeur: str) -> str:
    """« A », « Cat. B », « catégorie C », « A+ » → A, B, C ; une autre valeur est gardée telle quelle."""
    propre = texte(valeur, "categorie")
    trouve = _CATEGORIE.match(simplifier(propre).replace(" ", ""))
    return trouve.group(1).upper() if trouve else propre


def sexe(valeur: str) -> str:
    propre = texte(valeur, "sexe")
    simple = simplifier(propre)
    if simple in {"f", "femme", "feminin", "femmes"}:
        return "Femmes"
    if simple in {"h", "m", "homme", "masculin", "hommes"}:
        return "Hommes"
    return propre


def isco(valeur: str) -> str:
    propre = valeur.strip()
    if propre.endswith(".0"):
        propre = propre[:-2]  # un code lu comme un nombre par le tableur
    if propre and not (len(propre) == 4 and propre.isdigit()):
        raise ValeurRefusee(f"code CITP « {propre[:20]} » invalide (quatre chiffres attendus)")
    return propre


_CENT = Decimal(100)


def quotite(valeur: str) -> Decimal | None:
    """« 1 », « 0,8 », « 80 », « 80 % » → ETP entre 0 et 1 ; vide → None (compté à temps complet)."""
    propre = valeur.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not propre:
        return None
    pourcentage = propre.endswith("%")
    try:
        nombre = Decimal(propre.rstrip("%"))
    except InvalidOperation:
        raise ValeurRefusee(f"quotité « {valeur.strip()[:30]} » illisible") from None
    if not nombre.is_finite():
        raise ValeurRefusee(f"quotité « {valeur.strip()[:30]} » illisible")
    if pourcentage or nombre > 1:
        nombre /= _CENT
    if not (0 < nombre <= 1):
        raise ValeurRefusee(f"quotité « {valeur.strip()[:30]} » hors de 0 à 100 %")
    return nombre.quantize(Decimal("0.0001"))

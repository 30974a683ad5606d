"""Reconnaisseurs Presidio des données personnelles d'un texte administratif français.

Presidio, tel que livré, ne connaît ni le NIR, ni les plaques, ni le SIRET, ni les dates de naissance,
et ses reconnaisseurs d'adresses électroniques et de liens téléchargent la liste publique des suffixes
(tldextract) : ceux-ci les remplacent tous, hors ligne. Chaque motif nomme `valeur` la partie à
masquer (le contexte qui le précède, « né le », « Madame », n'en fait pas partie) ; une clé de contrôle
(validation.py) écarte les nombres qui n'ont que la forme d'un identifiant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from balise.passerelle import validation

LANGUE = "fr"

PERSONNE = "PERSONNE"
COURRIEL = "COURRIEL"
TELEPHONE = "TELEPHONE"
IBAN = "IBAN"
NIR = "NIR"
SIREN = "SIREN"
SIRET = "SIRET"
IMMATRICULATION = "IMMATRICULATION"
DATE_NAISSANCE = "DATE_NAISSANCE"
ADRESSE = "ADRESSE"
TERME_PROPRE = "TERME_PROPRE"

MAJ = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
MIN = "a-zàâäçéèêëîïôöùûüÿæœ"
_SEP = r"[ .\-]?"

# --------------------------------------------------------------------------------------------------
# Motifs
# --------------------------------------------------------------------------------------------------

MOTIF_COURRIEL = re.compile(
    r"(?<![\w.+\-])(?P<valeur>[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})(?![\w\-])"
)

# +33, 0033 ou 0, puis 9 chiffres par paires (espaces, points ou tirets) ; les outre-mer aussi.
MOTIF_TELEPHONE = re.compile(
    r"(?<![\w+])(?P<valeur>(?:(?:\+|00)\s?(?:33|262|269|508|590|594|596|681|687|689)[ .\-]?"
    r"(?:\(0\)[ .\-]?)?|0)[1-9](?:[ .\-]?\d{2}){4})(?!\d)"
)

# Assez large pour tout NIR écrit avec ou sans séparateurs ; la clé tranche.
MOTIF_NIR = re.compile(
    rf"(?<![\w])(?P<valeur>[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[ABab]){_SEP}\d{{3}}"
    rf"{_SEP}\d{{3}}{_SEP}\d{{2}})(?![\w])"
)

# Code pays, clé, puis groupes de 4 (le dernier plus court) : la longueur du pays coupe ce qui suit.
MOTIF_IBAN = re.compile(r"(?<![\w])(?P<valeur>[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30})(?![\w])")

MOTIF_SIRET = re.compile(r"(?<![\w])(?P<valeur>\d{3}[ .]?\d{3}[ .]?\d{3}[ .]?\d{5})(?![\w])")

# Neuf chiffres, c'est aussi un montant ou un numéro de dossier : le SIREN exige d'être nommé.
MOTIF_SIREN = re.compile(
    r"(?i:\bsiren\b|\bRCS\b[^\d\n]{0,25}|\bn°\s*d['’]entreprise\b|\bimmatricul[ée]+e?\b[^\d\n]{0,30})"
    r"[^\d\n]{0,15}?(?P<valeur>\d{3}[ .]?\d{3}[ .]?\d{3})(?![\d])"
)

# SIV (AB-123-CD, depuis 2009 : ni I, O, U, ni SS ; WW pour les plaques provisoires) et FNI (1234 AB 56, avant 2009).
_LETTRE_SIV = "A-HJ-NP-TV-Z"
MOTIF_IMMATRICULATION = re.compile(
    rf"(?<![\w\-])(?P<valeur>(?!SS)[{_LETTRE_SIV}]{{2}}[ \-]?(?!000)\d{{3}}[ \-]?(?!SS)[{_LETTRE_SIV}]{{2}}"
    r"|\d{1,4}[ \-](?!H[ \-])[A-Z]{1,3}[ \-](?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6]))(?![\w\-])"
)

_MOIS = "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
_DATE = rf"(?:(?:\d{{1,2}}|1er)\s+(?:{_MOIS})\s+\d{{4}}|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}}))"
# Une date n'est une date de naissance que si le texte le dit, juste avant, dans la même phrase.
# « ne » sans accent ne vaut « né » que suivi de « le » : sinon c'est la négation (« ne reviendra pas
# avant le 3 mars »).
MOTIF_DATE_NAISSANCE = re.compile(
    rf"(?i:\b(?:n[ée]e?s?(?<!\bne)|ne(?=\s+le\b))\b(?:\s*\(e\))?|\bdate\s+de\s+naissance\b|\bDDN\b|\bnaissance\b)"
    rf"[^\d\n.;!?]{{0,45}}?(?P<valeur>{_DATE})(?!\d)"
)

_VOIES = (
    "rue|avenue|av\\.|boulevard|bd|place|chemin|all[ée]e|impasse|route|quai|cours|square|passage|"
    "lotissement|r[ée]sidence|voie|sentier|cit[ée]|rond-point|faubourg|mont[ée]e|hameau|lieu-dit|"
    "esplanade|promenade|parvis|ruelle|villa|clos|sente|domaine"
)
_PARTICULE_VOIE = r"(?:(?:de|du|des|la|le|les|aux?|et|sur|sous|en|à)[ \t]+|[ld]['’][ \t]?)"
_MOT_VOIE = rf"[{MAJ}0-9][\w'’\-]*"
_VILLE = (
    rf"(?:(?:Le|La|Les)[ \t]+|L['’])?[{MAJ}][\w'’]*(?:-[\w'’]+)*"
    rf"(?:[ \t]+(?:sur|sous|en|lès|lez|le|la|les|de|du|des)[ \t\-]+[{MAJ}][\w'’]*(?:-[\w'’]+)*)*"
    r"(?:[ \t]+(?:CEDEX|Cedex)(?:[ \t]+\d{1,2})?)?"
)
# Numéro, type de voie, nom (mots capitalisés et particules, sur une ligne), puis code postal et ville.
MOTIF_ADRESSE = re.compile(
    rf"(?<![\w])(?P<valeur>\d{{1,4}}(?:[ \t]?(?:bis|ter|quater|[A-D])\b)?,?[ \t]+(?i:{_VOIES})[ \t]+"
    rf"{_PARTICULE_VOIE}*{_MOT_VOIE}(?:[ \t]+{_PARTICULE_VOIE}*{_MOT_VOIE}){{0,5}}"
    rf"(?:[ \t]*,?[ \t]*\n?[ \t]*(?:\d{{5}}|\d{{2}} \d{{3}})[ \t]+{_VILLE})?)"
)

TITRES = (
    "M.",
    "MM.",
    "Mme",
    "Mmes",
    "Mlle",
    "Me",
    "Dr",
    "Pr",
    "Monsieur",
    "Messieurs",
    "Madame",
    "Mesdames",
    "Mademoiselle",
    "Maître",
    "Maitre",
    "Docteur",
    "Professeur",
)
_TITRE = "|".join(re.escape(t) for t in sorted(TITRES, key=len, reverse=True))
_NOM = rf"(?:[{MAJ}][{MIN}'’]+(?:-[{MAJ}][{MIN}'’]+)*|[{MAJ}]{{2,}}(?:-[{MAJ}]{{2,}})*)"
_PARTICULE_NOM = r"(?:de|du|des|d['’]|van|von|der|den|ben|bin|ould|el|al|da|dos|di|del)"
MOTIF_PERSONNE_TITREE = re.compile(
    rf"(?<![\w])(?:{_TITRE})\.?[ \t]+(?P<valeur>{_NOM}(?:[ \t]+(?:{_PARTICULE_NOM}[ \t]*)?{_NOM}){{0,3}})"
)

# « DIALLO Fatou », « Fatou DIALLO » : l'écriture administrative du nom en capitales.
_CAPITALES = rf"[{MAJ}]{{2,}}(?:[ \-][{MAJ}]{{2,}})*"
_PRENOM = rf"[{MAJ}][{MIN}]+(?:-[{MAJ}][{MIN}]+)?"
MOTIF_NOM_CAPITALES = re.compile(
    rf"(?<![\w\-])(?P<valeur>{_CAPITALES}[ \t]+{_PRENOM}|{_PRENOM}[ \t]+{_CAPITALES})(?![\w\-])"
)
# Le prénom seul, là où l'usage le met : après une salutation, ou seul sur la dernière ligne (signature).
MOTIF_PRENOM_SALUE = re.compile(
    rf"(?:\b(?:Bonjour|Bonsoir|Salut|Coucou|Merci|Cher|Chère)[ \t]+(?P<valeur>{_PRENOM})[ \t]*[,!]"
    rf"|\n[ \t]*(?P<signature>{_PRENOM})[ \t]*\Z)"
)
# Sigles courants des textes administratifs, jamais des noms.
SIGLES = frozenset(
    [
        "CGCT",
        "CCAS",
        "CIAS",
        "DGS",
        "DGA",
        "DSI",
        "DPO",
        "DPD",
        "RSSI",
        "DRH",
        "RH",
        "CAF",
        "CPAM",
        "URSSAF",
        "SIRET",
        "SIREN",
        "NIR",
        "IBAN",
        "RIB",
        "BIC",
        "PLU",
        "TR",
        "RE",
        "PC",
        "PV",
        "CR",
        "CST",
        "CAP",
        "CNIL",
        "EPCI",
        "SDIS",
        "ZAC",
        "OPH",
        "HLM",
        "RSA",
        "APL",
        "TVA",
        "HT",
        "TTC",
        "EUR",
        "OBJET",
        "NOTE",
        "PJ",
    ]
)

# Ce qui suit un titre ou que le modèle prend pour une personne sans en être une : fonctions, formules.
MOTS_NON_NOMS = frozenset(
    mot.casefold()
    for mot in (
        *TITRES,
        *[
            "Le",
            "La",
            "Les",
            "L",
            "Maire",
            "Adjoint",
            "Adjointe",
            "Président",
            "Présidente",
            "Directeur",
            "Directrice",
            "Préfet",
            "Préfète",
            "Conseiller",
            "Conseillère",
            "Ministre",
            "Député",
            "Députée",
            "Sénateur",
            "Sénatrice",
            "Procureur",
            "Procureure",
            "Juge",
            "Secrétaire",
            "Général",
            "Générale",
            "Chef",
            "Cheffe",
            "Responsable",
            "Agent",
            "Agente",
            "Délégué",
            "Déléguée",
            "Trésorier",
            "Trésorière",
            "Rapporteur",
            "Rapporteure",
            "Vice-Président",
            "Vice-Présidente",
            "Commissaire",
            "Inspecteur",
            "Inspectrice",
            "Lieutenant",
            "Capitaine",
            "Colonel",
            "Commandant",
            "Cher",
            "Chère",
            "Bonjour",
            "Objet",
            "Cordialement",
            "Mairie",
            "Ville",
            "Commune",
            "Département",
            "Région",
            "Conseil",
            "Service",
            "Direction",
            "Pôle",
            "Merci",
            "Bien",
            "Salutations",
            "Amitiés",
            "Présents",
            "Présentes",
            "Excusé",
            "Excusée",
            "Excusés",
            "Absents",
            "Fiche",
        ],
    )
)

# --------------------------------------------------------------------------------------------------
# Reconnaisseurs
# --------------------------------------------------------------------------------------------------


class ReconnaisseurMotif(LocalRecognizer):
    """Un motif (groupe `valeur`), une vérification facultative de la valeur trouvée, un score."""

    def __init__(
        self, type_donnee: str, motif: re.Pattern[str], score: float, verifier: Callable[[str], bool] | None
    ) -> None:
        super().__init__(
            supported_entities=[type_donnee], supported_language=LANGUE, name=f"balise-{type_donnee.lower()}"
        )
        self.type_donnee = type_donnee
        self.motif = motif
        self.score = score
        self.verifier = verifier

    def load(self) -> None:
        """Rien à charger : les motifs sont compilés à l'import."""

    def retenir(self, texte: str, debut: int, fin: int) -> tuple[int, int] | None:
        """L'étendue à masquer, ou None si la valeur ne passe pas la vérification."""
        if self.verifier is None or self.verifier(texte[debut:fin]):
            return debut, fin
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        resultats = []
        for trouve in self.motif.finditer(text):
            etendue = self.retenir(text, *trouve.span("valeur"))
            if etendue is not None:
                resultats.append(RecognizerResult(self.type_donnee, etendue[0], etendue[1], self.score))
        return resultats


class ReconnaisseurIban(ReconnaisseurMotif):
    """Le motif prend aussi un mot qui suit (« … 189 EUR ») : on garde la longueur du pays."""

    def __init__(self) -> None:
        super().__init__(IBAN, MOTIF_IBAN, 1.0, validation.iban_valide)

    def retenir(self, texte: str, debut: int, fin: int) -> tuple[int, int] | None:
        longueur = validation.LONGUEURS_IBAN.get(texte[debut : debut + 2].upper())
        if longueur is None:
            return None
        fin_pays = _fin_apres_alphanumeriques(texte, debut, fin, longueur)
        if fin_pays is None or (fin_pays < len(texte) and texte[fin_pays].isalnum()):
            return None
        return (debut, fin_pays) if validation.iban_valide(texte[debut:fin_pays]) else None


def _fin_apres_alphanumeriques(texte: str, debut: int, fin: int, nombre: int) -> int | None:
    vus = 0
    for position in range(debut, fin):
        if texte[position].isalnum():
            vus += 1
            if vus == nombre:
                return position + 1
    return None


class ReconnaisseurPersonneTitree(ReconnaisseurMotif):
    """« Madame Fatou Diallo », « M. LEFÈVRE » : le nom après le titre, sans les fonctions qui suivent
    (« Monsieur Dupont Maire » : Dupont) ni ce qui n'est pas un nom (« Monsieur le Maire »)."""

    def __init__(self) -> None:
        super().__init__(PERSONNE, MOTIF_PERSONNE_TITREE, 0.9, None)

    def retenir(self, texte: str, debut: int, fin: int) -> tuple[int, int] | None:
        for mot in re.finditer(r"\S+", texte[debut:fin]):
            if mot.group().casefold() in MOTS_NON_NOMS:
                fin = debut + mot.start()
                break
        fin = debut + len(texte[debut:fin].rstrip())
        return (debut, fin) if fin > debut else None


class ReconnaisseurNomCapitales(ReconnaisseurMotif):
    """« DIALLO Fatou » : écarte les sigles (« DGS Sophie » n'est pas un nom) et les fonctions."""

    def __init__(self) -> None:
        super().__init__(PERSONNE, MOTIF_NOM_CAPITALES, 0.7, None)

    def retenir(self, texte: str, debut: int, fin: int) -> tuple[int, int] | None:
        mots = re.split(r"[ \t\-]+", texte[debut:fin])
        if any(m in SIGLES or (not m.isupper() and m.casefold() in MOTS_NON_NOMS) for m in mots):
            return None
        return debut, fin


class ReconnaisseurPrenom(LocalRecognizer):
    """« Bonjour Yasmina, » et le prénom seul qui signe un message."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[PERSONNE], supported_language=LANGUE, name="balise-prenom")

    def load(self) -> None:
        """Rien à charger."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        resultats = []
        for trouve in MOTIF_PRENOM_SALUE.finditer(text):
            groupe = "valeur" if trouve.group("valeur") else "signature"
            if trouve.group(groupe).casefold() not in MOTS_NON_NOMS:
                resultats.append(RecognizerResult(PERSONNE, *trouve.span(groupe), 0.7))
        return resultats


class ReconnaisseurPersonneSpacy(LocalRecognizer):
    """Les entités PER du modèle français, débarrassées des titres et des mots qui n'en sont pas."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[PERSONNE], supported_language=LANGUE, name="balise-personne-ner")

    def load(self) -> None:
        """Le modèle est chargé par le moteur (donnees_personnelles.modele)."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None:
            return []
        resultats = []
        for entite in nlp_artifacts.entities:
            if entite.label_ != "PERSON":
                continue
            etendue = etendue_de_personne(text, entite.start_char, entite.end_char)
            if etendue is not None:
                resultats.append(RecognizerResult(PERSONNE, etendue[0], etendue[1], 0.85))
        return resultats


def etendue_de_personne(texte: str, debut: int, fin: int) -> tuple[int, int] | None:
    """Retire d'une entité PER les titres et fonctions en tête et la ponctuation en queue ; rejette ce
    qui ne ressemble pas à un nom (sans majuscule, avec chiffres, un seul mot non nominal)."""
    mots = list(re.finditer(r"\S+", texte[debut:fin]))
    # « Courrier de Maître LEFÈVRE » : le nom commence après le dernier titre.
    titres = [i for i, m in enumerate(mots) if m.group() in TITRES]
    if titres:
        mots = mots[titres[-1] + 1 :]
    while mots and {mots[0].group().casefold(), mots[0].group().rstrip(",.;:").casefold()} & MOTS_NON_NOMS:
        mots.pop(0)
    if not mots:
        return None
    nouveau_debut = debut + mots[0].start()
    nouvelle_fin = debut + mots[-1].end()
    while nouvelle_fin > nouveau_debut and not texte[nouvelle_fin - 1].isalpha():
        nouvelle_fin -= 1
    valeur = texte[nouveau_debut:nouvelle_fin]
    if len(valeur) < 2 or not valeur[0].isupper() or any(c.isdigit() or c in "@/[]" for c in valeur):
        return None
    if all(m.casefold() in MOTS_NON_NOMS for m in valeur.split()):
        return None
    # Un mot seul en tête de ligne ou de phrase est le plus souvent un verbe ou un nom commun que sa
    # majuscule a trompé (« Pourriez-vous », « Fiche de liaison ») ; les prénoms seuls ont leur motif.
    if " " not in valeur and "-" not in valeur and _en_tete_de_phrase(texte, nouveau_debut):
        return None
    return nouveau_debut, nouvelle_fin


def _en_tete_de_phrase(texte: str, position: int) -> bool:
    avant = texte[:position].rstrip(" \t")
    return not avant or avant[-1] in "\n.!?:"


class _Repli(dict[int, str]):
    """Table de `str.translate` remplie au fil des caractères rencontrés : chaque caractère devient un
    seul caractère, sans accent ni capitale (le repli se calcule une fois par caractère, pas par texte)."""

    def __missing__(self, code: int) -> str:
        caractere = chr(code)
        if caractere.isspace():
            base = " "
        elif caractere == "’":
            base = "'"
        else:
            base = unicodedata.normalize("NFD", caractere)[0].casefold()[:1] or caractere
        self[code] = base
        return base


_REPLI = _Repli()


def replier(texte: str) -> str:
    """Même longueur que le texte (les positions restent celles de l'original), sans accents ni
    capitales, apostrophes et espaces unifiés : « Hermès » et « HERMES » se replient pareil."""
    return texte.translate(_REPLI)


class ReconnaisseurTermes(LocalRecognizer):
    """Les termes que l'organisation déclare (dossiers, projets, personnes), sans égard aux capitales,
    aux accents ni aux espaces multiples, en mots entiers."""

    def __init__(self, termes: Sequence[str]) -> None:
        super().__init__(supported_entities=[TERME_PROPRE], supported_language=LANGUE, name="balise-termes")
        replies = sorted(
            {t for t in (" ".join(replier(x).split()) for x in termes) if t}, key=len, reverse=True
        )
        self.motif = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(t).replace(r"\ ", r" +") for t in replies) + r")(?!\w)"
            )
            if replies
            else None
        )

    def load(self) -> None:
        """Le motif est compilé à la construction."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self.motif is None:
            return []
        return [RecognizerResult(TERME_PROPRE, *m.span(), 1.0) for m in self.motif.finditer(replier(text))]


@dataclass(frozen=True)
class MotifCategorie:
    """Une catégorie particulière (RGPD, art. 9 et 10) prête à chercher : son type, le motif de ses
    expressions sur le texte replié, et ses sigles repliés, qui ne valent qu'écrits en capitales."""

    type: str
    motif: str
    sigles: frozenset[str]


class ReconnaisseurCategories(LocalRecognizer):
    """Les catégories particulières de regles/categories-particulieres-v<N>.yaml, en un seul motif
    appliqué au texte replié (sans accents ni capitales) : un passage sur le texte, quel que soit le
    nombre d'expressions. Le groupe qui a trouvé dit la catégorie."""

    def __init__(self, categories: Sequence[MotifCategorie]) -> None:
        super().__init__(
            supported_entities=[c.type for c in categories], supported_language=LANGUE, name="balise-art9"
        )
        self.categories = tuple(categories)
        groupes = "|".join(f"(?P<c{rang}>{c.motif})" for rang, c in enumerate(self.categories))
        # Dans une anticipation : une trouvaille à chaque début de mot, même dans une autre (« est en
        # arrêt » et « arrêt maladie ») ; celles d'une même catégorie qui se touchent sont réunies.
        self.motif = re.compile(rf"(?<![\w\-])(?=(?:{groupes})(?![\w\-]))") if self.categories else None

    def load(self) -> None:
        """Le motif est compilé à la construction."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self.motif is None:
            return []
        etendues: list[tuple[MotifCategorie, int, int]] = []
        for trouve in self.motif.finditer(replier(text)):
            groupe = str(trouve.lastgroup)
            categorie = self.categories[int(groupe[1:])]
            debut, fin = trouve.span(groupe)
            # « élu sud », « le ps » : un sigle écrit en minuscules n'est pas le syndicat ou le parti.
            if any(
                replier(mot) in categorie.sigles and not mot.isupper()
                for mot in re.findall(r"[\w\-]+", text[debut:fin])
            ):
                continue
            precedente = etendues[-1] if etendues else None
            if precedente and precedente[0] is categorie and debut <= precedente[2]:
                etendues[-1] = (categorie, precedente[1], max(fin, precedente[2]))
            else:
                etendues.append((categorie, debut, fin))
        return [RecognizerResult(c.type, debut, fin, 0.8) for c, debut, fin in etendues]


def reconnaisseurs_francais() -> list[LocalRecognizer]:
    """Les reconnaisseurs permanents (les termes de l'organisation s'ajoutent à chaque analyse)."""
    motifs: Iterable[tuple[str, re.Pattern[str], float, Callable[[str], bool] | None]] = (
        (COURRIEL, MOTIF_COURRIEL, 1.0, None),
        (TELEPHONE, MOTIF_TELEPHONE, 0.9, None),
        (NIR, MOTIF_NIR, 1.0, validation.nir_valide),
        (SIRET, MOTIF_SIRET, 1.0, validation.siret_valide),
        (SIREN, MOTIF_SIREN, 1.0, validation.siren_valide),
        (IMMATRICULATION, MOTIF_IMMATRICULATION, 0.8, None),
        (DATE_NAISSANCE, MOTIF_DATE_NAISSANCE, 0.9, None),
        (ADRESSE, MOTIF_ADRESSE, 0.8, None),
    )
    return [
        *(ReconnaisseurMotif(*m) for m in motifs),
        ReconnaisseurIban(),
        ReconnaisseurPersonneTitree(),
        ReconnaisseurNomCapitales(),
        ReconnaisseurPrenom(),
        ReconnaisseurPersonneSpacy(),
    ]

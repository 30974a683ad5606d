"""Banc de mesure de l'import des effectifs (impact sur les métiers) : 1 000, 10 000 et 100 000 lignes.

Usage : .venv/bin/python bench/effectifs.py [--base sqlite|postgresql] [--tailles 1000,10000,100000]
                                            [--format xlsx|csv] [--tours 3]

Le banc crée une base neuve (réglages de production : BALISE_DEBUG=0), une organisation et une
personne, puis génère pour chaque taille un tableau des effectifs vraisemblable (graine fixe ; non
chronométré) : ~300 libellés de métiers tirés du référentiel national et écrits de plusieurs façons
(féminin, « Chargé(e) », « CNFPT - », majuscules, sans accents, fautes de frappe), ~10 % d'agents aux
métiers absents du référentiel, ~60 directions, catégories, filières, cadres d'emplois, sexe, quotités
(quelques-unes vides ou illisibles) et des noms et matricules fictifs.

Chaque taille est mesurée `--tours` fois ; chaque mesure tourne dans un processus neuf (le pic de
mémoire d'un processus ne redescend jamais) :

- lecture nue : python-calamine charge le classeur et parcourt la première feuille, dans le processus
  (CSV : csv.reader sur le texte décodé) ;
- lecture Balise : `lecture.lire_tableau` puis toutes ses lignes (un classeur est converti en CSV par un
  processus enfant, puis relu) ;
- import de bout en bout : `services.deposer`, `services.traiter` (lecture, validation, normalisation,
  regroupement, rattachement, écritures) et les agrégats (`selectors.synthese`, `croisement` pour les
  5 dimensions, `metiers`), puis, hors objectif, les exports XLSX et CSV ; l'import est ensuite
  supprimé (`services.supprimer_import`). Pic de mémoire du processus et de l'enfant calamine.

Il affiche les médianes, l'atteinte des objectifs (100 000 lignes : < 10 s, ≤ 3 × la lecture nue,
< 500 Mo), écrit bench/resultats/effectifs-<base>.json et supprime la base. Voir bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_effectifs"
SLUG = "banc-effectifs"
COURRIEL = "rh@banc-effectifs.example"
GRAINE = 2026
TAILLE_OBJECTIF = 100_000
OBJECTIF_S = 10.0
OBJECTIF_RATIO = 3.0
OBJECTIF_MO = 500.0
MARQUE = "RESULTAT "  # préfixe de la ligne de résultat d'une sous-mesure sur sa sortie standard

# --------------------------------------------------------------------------------------------------
# Génération des tableaux d'effectifs
# --------------------------------------------------------------------------------------------------

ENTETES = ["Matricule", "Nom", "Prénom", "Emploi", "Catégorie", "Filière", "Direction", "Cadre d'emplois"]
ENTETES += ["Sexe", "Quotité"]
NB_METIERS = 145  # métiers du référentiel présents ; avec leurs variantes, ~300 libellés distincts
PART_INCONNUS = 0.10  # agents aux métiers absents du référentiel
INCONNUS = [
    "Secrétaire de mairie",
    "Garde champêtre",
    "Agent polyvalent des services techniques",
    "Agent d'entretien",
    "Gardien de gymnase",
    "Fossoyeur",
    "Médiateur social",
    "Surveillant de baignade",
    "Maître-nageur sauveteur",
    "Chargé de mission",
    "Directeur",
    "Chef d'équipe voirie",
    "Agent de collecte",
    "Ripeur",
    "Conducteur de balayeuse",
    "Plombier",
    "Électricien",
    "Menuisier",
    "Peintre en bâtiment",
    "Agent de cuisine",
    "Plongeur",
    "Lingère",
    "ATSEM",
    "Auxiliaire de puériculture",
    "Sage-femme",
    "Aide-ménagère",
    "Chargée de mission politique de la ville",
    "Gardien d'immeuble",
    "Concierge",
    "Agent de sécurité incendie",
    "Standardiste",
    "Vaguemestre",
    "Huissier",
    "Apprenti",
    "Emploi saisonnier",
]
DIRECTIONS = [
    *("Direction générale", "Ressources humaines", "Finances", "Commande publique", "Affaires juridiques"),
    *("Numérique", "Communication", "Accueil et citoyenneté", "État civil", "Élections", "Urbanisme"),
    *("Aménagement", "Habitat", "Développement économique", "Tourisme", "Culture", "Médiathèques"),
    *("Musées", "Archives", "Conservatoire", "Sports", "Piscines", "Enfance jeunesse", "Petite enfance"),
    *("Éducation", "Restauration collective", "Action sociale", "CCAS", "Santé publique", "Seniors"),
    *("Police municipale", "Prévention et sécurité", "Espaces verts", "Propreté urbaine"),
    *("Collecte des déchets", "Eau et assainissement", "Voirie", "Bâtiments", "Moyens généraux"),
    *("Parc automobile", "Logistique", "Mobilités", "Environnement", "Transition écologique"),
    *("Patrimoine", "Cimetières", "Évènementiel", "Relations internationales", "Vie associative"),
    *("Démocratie participative", "Politique de la ville", "Insertion", "Emploi et formation"),
    *("Contrôle de gestion", "Inspection", "Assemblées", "Protocole", "Information géographique"),
    *("Énergie", "Foncier"),
]
# Filière d'un métier d'après son libellé (premier motif trouvé), sinon administrative.
FILIERES = [
    ("Police municipale", r"police|surveillance des voies|sécurité générale|vidéoprotection"),
    ("Sportive", r"sporti|sports"),
    ("Animation", r"animat|loisirs|périscolaire"),
    (
        "Médico-sociale",
        r"social|santé|médecin|infirm|psycho|ergo|orthophon|soignant|enfant|domicile|puéricul",
    ),
    (
        "Culturelle",
        r"biblioth|patrimo|culturel|archiv|archéolog|artist|spectacle|régisseur|plateau|décor|costume"
        r"|œuvre|oeuvre|documental|collections|chargé-e des publics|programmateur|enseignant",
    ),
    (
        "Technique",
        r"technique|technicien|bâtiment|voirie|réseau|espaces verts|jardin|propreté|chauffage|véhicule"
        r"|maintenance|entretien|cuisin|restauration|magasin|logisti|\bsi\b|système|informati|développeur"
        r"|données|exploitation|ouvrier|funéraire|chauffeur|carrossier|élagueur|énergie|fluides|paysag"
        r"|travaux|construction|manutention|atelier|animalier|production",
    ),
]
CATEGORIES = [
    ("A", r"directeur|directrice|responsable|chef|médecin|psycholog|conservateur|architecte|urbaniste"),
    ("A", r"expert|conseiller|délégué|cadre|secrétaire général"),
    (
        "B",
        r"chargé|technicien|assistant|instructeur|gestionnaire|coordinat|coordonnat|contrôleur|animateur"
        r"|éducateur|infirmier|bibliothécaire|documentaliste|régisseur|développeur|administrateur"
        r"|concepteur|dessinateur|policier|archiviste",
    ),
]
CADRES = {
    "Administrative": ("Attachés territoriaux", "Rédacteurs territoriaux", "Adjoints administratifs"),
    "Technique": ("Ingénieurs territoriaux", "Techniciens territoriaux", "Adjoints techniques"),
    "Culturelle": ("Bibliothécaires", "Assistants de conservation", "Adjoints du patrimoine"),
    "Médico-sociale": ("Assistants socio-éducatifs", "Infirmiers territoriaux", "Agents sociaux"),
    "Animation": ("Attachés territoriaux", "Animateurs territoriaux", "Adjoints d'animation"),
    "Sportive": ("Conseillers des APS", "Éducateurs des APS", "Opérateurs des APS"),
    "Police municipale": (
        "Directeurs de police municipale",
        "Chefs de service de police",
        "Agents de police",
    ),
}
CADRES_EN_PLUS = {"Technique": "Agents de maîtrise", "Médico-sociale": "Auxiliaires de puériculture"}
PRENOMS = ["Claire", "Marc", "Sophie", "Karim", "Léa", "Paul", "Inès", "Hugo", "Nadia", "Julien", "Zoé"]
NOMS = ["Petit", "Roux", "Lefèvre", "Benali", "Moreau", "Girard", "Martin", "Fontaine", "Diallo", "Garnier"]
# Quotités telles que les logiciels RH les écrivent (nombres : cellules numériques du classeur).
QUOTITES: list[tuple[str | float, int]] = [
    ("100 %", 46),
    ("100", 8),
    (1.0, 8),
    ("80 %", 7),
    ("80", 4),
    (0.8, 3),
    ("0,8", 3),
    ("50 %", 4),
    ("0,5", 3),
    (0.5, 2),
    ("90 %", 3),
    ("60 %", 2),
    ("", 4),  # vide : compté à temps complet
]
QUOTITES_ILLISIBLES = ["beaucoup", "120 %", "temps plein", "?"]  # lignes rejetées
SEXES = [("F", 40), ("H", 33), ("Femme", 10), ("Homme", 10), ("M", 3), ("", 4)]

_INCLUSIF = re.compile(r"(\w+)-(e|ne|le|fe|se|que|trice|rice|ère|euse)\b")
_OU = re.compile(r"([\w-]+) ou ([\w-]+)")


def _sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _au_feminin(mot: str, suffixe: str) -> str:
    if suffixe in ("trice", "rice") and mot.endswith("teur"):
        return mot[:-4] + "trice"
    if suffixe in ("euse", "se", "e") and mot.endswith("eur"):
        return mot[:-3] + "euse"
    if suffixe == "ère" and mot.endswith("er"):
        return mot[:-2] + "ère"
    if suffixe == "que" and mot.endswith("c"):
        return mot[:-1] + "que"
    return mot + suffixe  # Chargé-e, Technicien-ne, Chef-fe, fonctionnel-le


def _couple(trouve: re.Match[str]) -> bool:
    """« Infirmier ou infirmière » : deux formes d'un même mot (pas « assistantes ou assistants »)."""
    a, b = (_sans_accents(g).lower() for g in trouve.groups())
    return a[:3] == b[:3]


def masculin(libelle: str) -> str:
    texte = _INCLUSIF.sub(r"\1", libelle)
    trouve = _OU.search(texte)
    if trouve and _couple(trouve):
        texte = texte[: trouve.start()] + trouve[1] + texte[trouve.end() :]
    return _majuscule(texte)


def feminin(libelle: str) -> str:
    texte = _INCLUSIF.sub(lambda t: _au_feminin(t[1], t[2]), libelle)
    trouve = _OU.search(texte)
    if trouve and _couple(trouve):
        texte = texte[: trouve.start()] + trouve[2] + texte[trouve.end() :]
    return _majuscule(texte)


def _faute(alea: random.Random, texte: str) -> str:
    """Une faute de frappe dans un mot d'au moins 6 lettres : lettre doublée, oubliée ou inversée."""
    mots = texte.split(" ")
    longs = [i for i, mot in enumerate(mots) if len(mot) >= 6 and mot.isalpha()]
    if not longs:
        return texte
    i = alea.choice(longs)
    mot, j = mots[i], alea.randrange(1, len(mots[i]) - 1)
    mots[i] = alea.choice(
        [mot[:j] + mot[j] + mot[j:], mot[:j] + mot[j + 1 :], mot[:j] + mot[j + 1] + mot[j] + mot[j + 2 :]]
    )
    return " ".join(mots)


def variantes(alea: random.Random, libelle: str) -> list[str]:
    """Les façons d'écrire un métier du référentiel dans un même fichier : la principale d'abord."""
    principale = alea.choices([libelle, masculin(libelle), feminin(libelle)], weights=[4, 3, 3])[0]
    candidates = [
        feminin(libelle),
        masculin(libelle),
        libelle,
        _INCLUSIF.sub(lambda t: f"{t[1]}({t[2]})", libelle),  # Chargé(e)
        _INCLUSIF.sub(lambda t: f"{t[1]}·{t[2]}", libelle),  # Chargé·e
        "CNFPT - " + principale,
        principale.upper(),
        _sans_accents(principale),
        _faute(alea, principale),
        principale.lower(),
    ]
    nombre = alea.choices([0, 1, 2, 3], weights=[30, 35, 25, 10])[0]
    formes = [principale]
    for forme in alea.sample(candidates, len(candidates)):
        if len(formes) > nombre:
            break
        if forme not in formes:
            formes.append(forme)
    return formes


def _premier(motifs: list[tuple[str, str]], libelle: str, defaut: str) -> str:
    texte = libelle.lower()
    return next((valeur for valeur, motif in motifs if re.search(motif, texte)), defaut)


@dataclass
class Emploi:
    """Un métier du fichier : ses libellés (et leur poids), catégorie, filière, cadres et directions."""

    libelles: list[str]
    poids: list[float]
    categorie: str
    filiere: str
    cadres: list[str]
    directions: list[str]
    connu: bool


def vocabulaire(alea: random.Random) -> tuple[list[Emploi], list[float]]:
    """Les métiers de l'organisation et la part des agents de chacun (cumulée, pour `choices`)."""
    from balise.metiers.referentiel import charger

    referentiel = sorted({m.metier for m in charger().metiers})
    emplois = []
    for libelle in alea.sample(referentiel, NB_METIERS) + INCONNUS:
        connu = libelle not in INCONNUS
        formes = variantes(alea, libelle) if connu else [libelle]
        filiere = _premier(FILIERES, libelle, "Administrative")
        categorie = _premier(CATEGORIES, libelle, "C")
        cadres = [CADRES[filiere]["ABC".index(categorie)]]
        if categorie == "C" and filiere in CADRES_EN_PLUS:
            cadres.append(CADRES_EN_PLUS[filiere])
        emplois.append(
            Emploi(
                libelles=formes,
                poids=[0.75] + [0.25 / (len(formes) - 1)] * (len(formes) - 1) if len(formes) > 1 else [1.0],
                categorie=categorie,
                filiere=filiere,
                cadres=cadres,
                directions=alea.sample(DIRECTIONS, alea.choice([1, 1, 2, 3])),
                connu=connu,
            )
        )
    # Loi de Zipf : quelques métiers très répandus (entretien, restauration…), une longue traîne.
    connus = [1 / (k + 1) ** 0.9 for k in range(NB_METIERS)]
    inconnus = [1 / (k + 1) ** 0.7 for k in range(len(INCONNUS))]
    poids = [p * (1 - PART_INCONNUS) / sum(connus) for p in connus]
    poids += [p * PART_INCONNUS / sum(inconnus) for p in inconnus]
    cumules, total = [], 0.0
    for p in poids:
        total += p
        cumules.append(total)
    return emplois, cumules


def _bruit(alea: random.Random, valeur: str, majuscules: float, vide: float) -> str:
    tirage = alea.random()
    if tirage < vide:
        return ""
    if tirage < vide + majuscules:
        return valeur.upper()
    return valeur


def lignes(taille: int, emplois: list[Emploi], cumules: list[float], alea: random.Random) -> Iterator[list]:
    valeurs_q, poids_q = zip(*QUOTITES, strict=True)
    valeurs_s, poids_s = zip(*SEXES, strict=True)
    for i in range(taille):
        emploi = alea.choices(emplois, cum_weights=cumules)[0]
        libelle = alea.choices(emploi.libelles, weights=emploi.poids)[0]
        if alea.random() < 0.002:
            libelle = ""  # métier non renseigné : ligne rejetée
        tirage = alea.random()
        cat = emploi.categorie
        categorie = (
            cat
            if tirage < 0.80
            else f"Cat. {cat}"
            if tirage < 0.92
            else f"catégorie {cat}"
            if tirage < 0.95
            else cat.lower()
            if tirage < 0.97
            else ""
        )
        quotite = alea.choices(valeurs_q, weights=poids_q)[0]
        if alea.random() < 0.003:
            quotite = alea.choice(QUOTITES_ILLISIBLES)
        yield [
            f"{i + 1:06d}",
            alea.choice(NOMS).upper(),
            alea.choice(PRENOMS),
            libelle,
            categorie,
            _bruit(alea, emploi.filiere, 0.01, 0.02),
            _bruit(alea, alea.choice(emploi.directions), 0.03, 0.02),
            alea.choice(emploi.cadres) if alea.random() > 0.03 else "",
            alea.choices(valeurs_s, weights=poids_s)[0],
            quotite,
        ]


def generer(dossier: Path, taille: int, format_: str) -> tuple[Path, dict[str, Any]]:
    """Écrit le tableau de `taille` lignes et renvoie son chemin et sa description."""
    emplois, cumules = vocabulaire(random.Random(GRAINE))
    alea = random.Random(GRAINE + taille)
    chemin = dossier / f"effectifs-{taille}.{format_}"
    distincts: Counter[str] = Counter()
    inconnus = 0
    connus = {libelle for e in emplois if e.connu for libelle in e.libelles}

    def compter(rangees: Iterator[list]) -> Iterator[list]:
        nonlocal inconnus
        for rangee in rangees:
            distincts[rangee[3]] += 1
            inconnus += bool(rangee[3]) and rangee[3] not in connus
            yield rangee

    rangees = compter(lignes(taille, emplois, cumules, alea))
    if format_ == "xlsx":
        from openpyxl import Workbook

        classeur = Workbook(write_only=True)
        feuille = classeur.create_sheet("Effectifs")
        feuille.append(ENTETES)
        for rangee in rangees:
            feuille.append(rangee)
        classeur.save(chemin)
    else:
        with open(chemin, "w", encoding="utf-8-sig", newline="") as f:
            ecrivain = csv.writer(f, delimiter=";")
            ecrivain.writerow(ENTETES)
            for rangee in rangees:
                q = rangee[-1]
                rangee[-1] = f"{q:g}".replace(".", ",") if isinstance(q, float) else q
                ecrivain.writerow(rangee)
    distincts.pop("", None)
    return chemin, {
        "lignes": taille,
        "octets": chemin.stat().st_size,
        "libelles_distincts": len(distincts),
        "part_metiers_inconnus_pct": round(100 * inconnus / taille, 1),
    }


# --------------------------------------------------------------------------------------------------
# Sous-mesures : chacune dans un processus neuf (`--sous-mesure`), résultat en JSON sur la sortie
# --------------------------------------------------------------------------------------------------


def pic_mo(pid: int | str = "self") -> float | None:
    """Pic de mémoire résidente (VmHWM, Mo) d'un processus vivant, None s'il a fini.

    Pas `ru_maxrss` : sous Linux, un processus lancé par fork + exec part du RSS qu'avait son parent
    au moment du lancement (le banc, puis le processus de mesure, pour l'enfant calamine) ; VmHWM est
    le pic de son propre espace mémoire."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for ligne in f:
                if ligne.startswith("VmHWM:"):
                    return round(int(ligne.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None  # terminé (zombie sans mémoire) ou déjà attendu


class SondeEnfants:
    """Pic de mémoire des processus enfants (l'enfant calamine de `lecture`), relevé toutes les
    `periode` s tant qu'ils vivent : `subprocess.Popen` est remplacé le temps du bloc par une
    sous-classe qui signale chaque enfant lancé. VmHWM ne fait que monter : le dernier relevé avant
    la fin de l'enfant est son pic (à un intervalle près, l'enfant ne faisant plus qu'écrire)."""

    def __init__(self, periode: float = 0.005) -> None:
        self.periode = periode
        self.pics: dict[int, float] = {}
        self._vivants: set[int] = set()
        self._verrou = threading.Lock()
        self._arret = threading.Event()

    @property
    def pic(self) -> float:
        return max(self.pics.values(), default=0.0)

    def _relever(self) -> None:
        with self._verrou:
            for pid in list(self._vivants):
                valeur = pic_mo(pid)
                if valeur is None:
                    self._vivants.discard(pid)
                else:
                    self.pics[pid] = max(self.pics.get(pid, 0.0), valeur)

    def _boucle(self) -> None:
        while not self._arret.wait(self.periode):
            self._relever()

    def __enter__(self) -> SondeEnfants:
        sonde, self._originale = self, subprocess.Popen

        class Popen(self._originale):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                with sonde._verrou:
                    sonde._vivants.add(self.pid)

        subprocess.Popen = Popen  # type: ignore[misc]
        self._fil = threading.Thread(target=self._boucle, daemon=True)
        self._fil.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._arret.set()
        self._fil.join()
        subprocess.Popen = self._originale  # type: ignore[misc]


def memoire(sonde: SondeEnfants | None = None) -> dict[str, float]:
    return {"processus_mo": pic_mo() or 0.0, "enfant_mo": sonde.pic if sonde else 0.0}


def lecture_nue(fichier: Path) -> dict[str, Any]:
    """Le lecteur de tableur seul, dans le processus : ce que coûte au minimum lire ce fichier."""
    import python_calamine

    contenu = fichier.read_bytes()
    t0 = time.perf_counter()
    if fichier.suffix == ".csv":
        source: Any = csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";")
    else:
        source = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(contenu)).get_sheet_by_index(0)
        source = source.iter_rows()
    t1 = time.perf_counter()
    rangees = sum(1 for _ in source)
    fin = time.perf_counter()
    return {"duree_s": fin - t0, "chargement_s": t1 - t0, "rangees": rangees, "memoire": memoire()}


def lecture_balise(fichier: Path) -> dict[str, Any]:
    """`lire_tableau` (processus enfant pour un classeur) et toutes ses lignes."""
    from balise.metiers.lecture import lire_tableau

    contenu = fichier.read_bytes()
    with SondeEnfants() as sonde:
        t0 = time.perf_counter()
        tableau = lire_tableau(fichier.name, contenu)
        t1 = time.perf_counter()
        lues = sum(1 for _ in tableau.lignes)
        fin = time.perf_counter()
    return {
        "duree_s": fin - t0,
        "premiere_ligne_s": t1 - t0,  # démarrage de l'enfant et analyse complète du classeur
        "lignes": lues,
        "memoire": memoire(sonde),
    }


class Chronos:
    """Décomposition de l'import, sans rien changer à Balise : `services.relire`,
    `services._rattacher` et `QuerySet.bulk_create` sont remplacés, le temps de la mesure, par des
    enveloppes chronométrées ; le SQL est compté par `connection.execute_wrapper`. Les durées vont à
    (étape courante, quoi). Coût propre : deux `perf_counter` par ligne lue (≈ 20 ms pour 100 000)."""

    def __init__(self) -> None:
        self.etape = "hors"
        self.temps: dict[str, float] = defaultdict(float)
        self.requetes: dict[str, int] = defaultdict(int)
        self._remplacees: list[tuple[Any, str, Any]] = []

    def ajouter(self, quoi: str, duree: float, etape: str | None = None) -> None:
        self.temps[f"{etape or self.etape}.{quoi}"] += duree

    def _sql(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ajouter("sql", time.perf_counter() - t0)
            self.requetes[self.etape] += 1

    def _lignes(self, lignes: Iterator[tuple[int, list[str]]], etape: str) -> Iterator[tuple[int, list[str]]]:
        suivante, total = lignes.__next__, 0.0
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    ligne = suivante()
                except StopIteration:
                    return
                finally:
                    total += time.perf_counter() - t0
                yield ligne
        finally:
            self.ajouter("lecture_lignes", total, etape)

    def _sous_etape(self, nom: str, originale: Callable[..., Any]) -> Callable[..., Any]:
        def chronometree(*args: Any, **kwargs: Any) -> Any:
            etape = self.etape
            self.etape = f"{etape}/{nom}"  # le SQL de la sous-étape lui est compté à part
            t0 = time.perf_counter()
            try:
                return originale(*args, **kwargs)
            finally:
                self.etape = etape
                self.ajouter(nom, time.perf_counter() - t0)

        return chronometree

    def _remplacer(self, proprietaire: Any, attribut: str, nouvelle: Any) -> None:
        self._remplacees.append((proprietaire, attribut, getattr(proprietaire, attribut)))
        setattr(proprietaire, attribut, nouvelle)

    def __enter__(self) -> Chronos:
        from django.db import connection
        from django.db.models.query import QuerySet

        from balise.metiers import services

        lire_originale = services.relire

        def lire(format_: str, contenu: bytes) -> Any:
            t0 = time.perf_counter()
            tableau = lire_originale(format_, contenu)
            self.ajouter("lecture_ouverture", time.perf_counter() - t0)
            tableau.lignes = self._lignes(tableau.lignes, self.etape)
            return tableau

        self._remplacer(services, "relire", lire)
        self._remplacer(services, "_rattacher", self._sous_etape("rattacher", services._rattacher))
        self._remplacer(QuerySet, "bulk_create", self._sous_etape("ecriture", QuerySet.bulk_create))
        self._enveloppe = connection.execute_wrapper(self._sql)
        self._enveloppe.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._enveloppe.__exit__(*exc)
        for proprietaire, attribut, originale in reversed(self._remplacees):
            setattr(proprietaire, attribut, originale)


def agreger(imp: Any, seuil: int, chronos: Chronos | None = None) -> None:
    """Les tableaux des pages de résultats : synthèse, 5 croisements, métiers."""
    from balise.metiers import selectors
    from balise.metiers.services import DIMENSIONS

    appels: list[tuple[str, Callable[[], Any]]] = [("synthese", lambda: selectors.synthese(imp, seuil))]
    appels += [(d, lambda d=d: selectors.croisement(imp, d, seuil)) for d in DIMENSIONS]
    appels += [("metiers", lambda: selectors.metiers(imp, seuil))]
    for nom, appel in appels:
        t0 = time.perf_counter()
        appel()
        if chronos is not None:
            chronos.ajouter(nom, time.perf_counter() - t0)


_executer_la_file = commun.executer_la_file


def _par_le_processus_de_fond(organisation: Any, par: Any, nom: str, contenu: bytes, etape: Callable) -> Any:
    """Dépôt (la requête), lecture (processus de fond), choix des colonnes proposées (la requête),
    traitement (processus de fond) : l'import tel que le fait Balise."""
    from balise.metiers import services
    from balise.metiers.models import ImportEffectifs

    imp = etape("deposer", lambda: services.deposer(organisation, par, nom, contenu))
    etape("lire", _executer_la_file)
    imp = ImportEffectifs.objects.get(pk=imp.pk)
    assert imp.etat == ImportEffectifs.Etat.COLONNES, imp.travail.message
    etape("choisir_colonnes", lambda: services.choisir_colonnes(imp, imp.colonnes, par))
    etape("traiter", _executer_la_file)
    imp = ImportEffectifs.objects.select_related("travail").get(pk=imp.pk)
    assert imp.traite, imp.travail.message
    return imp


def importer(fichier: Path) -> dict[str, Any]:
    """Un import de bout en bout, dans un processus qui vient de configurer Django."""
    import django

    django.setup()
    base_django = pic_mo() or 0.0
    from django.db import connections
    from django.db.models import Count

    from balise.comptes.models import Utilisateur
    from balise.metiers import exports, services
    from balise.metiers.correspondance import normaliser
    from balise.organisations.models import Organisation

    organisation = Organisation.objects.get(slug=SLUG)
    par = Utilisateur.objects.get(email=COURRIEL)
    seuil = organisation.seuil_secret
    # Mise en température, comme un processus web qui a déjà servi : le fichier de démonstration (CSV,
    # 456 lignes) de bout en bout ; puis le cache des formes normalisées est vidé (libellés froids).
    demo = (RACINE / "balise" / "demo" / "effectifs-val-de-balise.csv").read_bytes()
    imp = _par_le_processus_de_fond(organisation, par, "demo.csv", demo, lambda nom, faire: faire())
    agreger(imp, seuil)
    exports.xlsx(imp, seuil)
    exports.csv_texte(imp, seuil)
    services.supprimer_import(imp, par)
    normaliser.cache_clear()
    base_prete = pic_mo() or 0.0

    contenu = fichier.read_bytes()
    durees: dict[str, float] = {}
    pics: dict[str, float] = {}  # pic du processus (VmHWM) à la fin de chaque étape : où il est atteint
    with SondeEnfants() as sonde, Chronos() as chronos:

        def etape(nom: str, faire: Callable[[], Any]) -> Any:
            chronos.etape = nom
            t0 = time.perf_counter()
            try:
                return faire()
            finally:
                durees[nom] = time.perf_counter() - t0
                pics[nom] = pic_mo() or 0.0

        debut = time.perf_counter()
        imp = _par_le_processus_de_fond(organisation, par, fichier.name, contenu, etape)
        etape("agregats", lambda: agreger(imp, seuil, chronos))
        durees["bout_en_bout"] = time.perf_counter() - debut
        pointe = memoire(sonde)
        etape("export_xlsx", lambda: exports.xlsx(imp, seuil))
        etape("export_csv", lambda: exports.csv_texte(imp, seuil))
    pointe_exports = memoire()
    statuts = dict(imp.libelles.values_list("statut").annotate(n=Count("pk")).order_by())
    resultats = {
        "lignes_lues": imp.lignes_lues,
        "lignes_rejetees": imp.lignes_rejetees,
        "sans_quotite": imp.sans_quotite,
        "libelles": sum(statuts.values()),
        "statuts": statuts,
        "groupes": imp.groupes.count(),
        "etat": imp.etat,
    }
    t0 = time.perf_counter()
    services.supprimer_import(imp, par)
    durees["suppression"] = time.perf_counter() - t0
    depots_ms = mesurer_depots(organisation, par, fichier.name, contenu)
    connections.close_all()
    return {
        "durees_s": durees,
        "decomposition_s": dict(chronos.temps),
        "requetes": dict(chronos.requetes),
        "memoire": {
            "base_django_mo": base_django,
            "base_prete_mo": base_prete,
            **pointe,
            "somme_mo": round(pointe["processus_mo"] + pointe["enfant_mo"], 1),
            "processus_apres_exports_mo": pointe_exports["processus_mo"],
            "processus_fin_etape_mo": pics,
        },
        "resultats": resultats,
        "depots_ms": depots_ms,
    }


DEPOTS = 15


def mesurer_depots(organisation: Any, par: Any, nom: str, contenu: bytes) -> list[float]:
    """La requête du dépôt, par la pile complète de Django (client de test : intergiciels, session,
    formulaire, vue), DEPOTS fois : ce que la personne attend avant la page d'avancement. Les dépôts
    et leurs tâches sont effacés ensuite (aucune lecture n'est faite)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart
    from django_tasks_db.models import DBTaskResult

    from balise.metiers.models import ImportEffectifs
    from balise.travaux.models import Travail

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(par)
    # Mise en température de la pile des requêtes (adresses, intergiciels, gabarits), comme un
    # travailleur gunicorn qui a déjà servi : la première requête d'un processus coûte 2 à 3 s.
    assert client.get(f"/o/{organisation.slug}/metiers/imports/nouveau/").status_code == 200
    # Le corps multipart est encodé une fois, hors mesure : c'est le navigateur qui le fait.
    corps = encode_multipart(BOUNDARY, {"fichier": SimpleUploadedFile(nom, contenu)})
    durees = []
    for _ in range(DEPOTS):
        t0 = time.perf_counter()
        reponse = client.post(
            # Une chaîne égale mais non identique à MULTIPART_CONTENT : le client envoie le corps tel quel.
            f"/o/{organisation.slug}/metiers/imports/nouveau/",
            corps,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
        durees.append(round((time.perf_counter() - t0) * 1000, 1))
        assert reponse.status_code == 302, reponse.status_code
    ImportEffectifs.objects.filter(etat=ImportEffectifs.Etat.LECTURE).delete()
    DBTaskResult.objects.filter(status="READY").delete()
    Travail.objects.filter(etat=Travail.Etat.EN_ATTENTE).delete()
    return durees


SOUS_MESURES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "lecture-nue": lecture_nue,
    "lecture-balise": lecture_balise,
    "import": importer,
}


def sous_mesure(mode: str, fichier: Path) -> dict[str, Any]:
    """Lance une sous-mesure dans un processus neuf (mêmes variables d'environnement) et lit son résultat."""
    sortie = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--sous-mesure", mode, "--fichier", str(fichier)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    ligne = next(ligne for ligne in reversed(sortie.splitlines()) if ligne.startswith(MARQUE))
    return json.loads(ligne[len(MARQUE) :])


# --------------------------------------------------------------------------------------------------
# Rapport
# --------------------------------------------------------------------------------------------------


def _nb(valeur: float | None, decimales: int = 2) -> str:
    """Nombre à la française : « 12,34 », « 1 234 »."""
    if valeur is None:
        return "—"
    return f"{valeur:,.{decimales}f}".replace(",", " ").replace(".", ",")


DECOMPOSITION = [
    ("traiter.lecture_ouverture", "lecture : en-tête du CSV gardé au dépôt"),
    ("traiter.lecture_lignes", "lecture : lignes du CSV gardé au dépôt"),
    ("boucle", "validation, normalisation, regroupement"),
    ("traiter.rattacher", "rattachement (_rattacher)"),
    ("traiter.ecriture", "écritures (bulk_create)"),
    ("traiter.sql", "autre SQL (verrou, contenu, save)"),
]


def resumer(tours: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Médianes des durées sur les tours, maximum des pics de mémoire."""

    def med(valeurs: list[float]) -> float:
        return round(statistics.median(valeurs), 4)

    nue, balise, imports = tours["lecture-nue"], tours["lecture-balise"], tours["import"]
    durees = {cle: med([t["durees_s"][cle] for t in imports]) for cle in imports[0]["durees_s"]}
    cles = {cle for t in imports for cle in t["decomposition_s"]}
    decomposition = {cle: med([t["decomposition_s"].get(cle, 0.0) for t in imports]) for cle in sorted(cles)}
    boucles = []
    for t in imports:
        d = t["decomposition_s"]
        boucles.append(
            t["durees_s"]["traiter"] - sum(d.get(c, 0.0) for c, _ in DECOMPOSITION if c != "boucle")
        )
    decomposition["boucle"] = med(boucles)
    memoire_import = {
        cle: max(t["memoire"][cle] for t in imports)
        for cle in imports[0]["memoire"]
        if cle != "processus_fin_etape_mo"
    }
    memoire_import["processus_fin_etape_mo"] = {
        etape: max(t["memoire"]["processus_fin_etape_mo"][etape] for t in imports)
        for etape in imports[0]["memoire"]["processus_fin_etape_mo"]
    }
    return {
        "lecture_nue_s": med([t["duree_s"] for t in nue]),
        "lecture_nue_chargement_s": med([t["chargement_s"] for t in nue]),
        "lecture_balise_s": med([t["duree_s"] for t in balise]),
        "lecture_balise_premiere_ligne_s": med([t["premiere_ligne_s"] for t in balise]),
        "import_s": durees,
        "decomposition_s": decomposition,
        "ratio_lecture_nue": round(durees["bout_en_bout"] / med([t["duree_s"] for t in nue]), 2),
        "memoire_mo": {
            "lecture_nue": max(t["memoire"]["processus_mo"] for t in nue),
            "lecture_balise_processus": max(t["memoire"]["processus_mo"] for t in balise),
            "lecture_balise_enfant": max(t["memoire"]["enfant_mo"] for t in balise),
            "import": memoire_import,
        },
        "resultats_import": imports[0]["resultats"],
        "depot_ms": {
            "p50": round(statistics.median(d for t in imports for d in t["depots_ms"]), 1),
            "p95": round(statistics.quantiles([d for t in imports for d in t["depots_ms"]], n=20)[-1], 1),
        },
        "requetes_sql": imports[0]["requetes"],
    }


def afficher(
    description: dict[str, Any], donnees: dict[int, dict], resumes: dict[int, dict], tours: int
) -> None:
    print()
    print(
        f"Machine : {description['nproc']} cœur(s), {description['processeur']} ; Python "
        f"{description['python']}, Django {description['django']}, {description['base']} ; "
        f"{description['date']} ; révision {description['revision']}"
    )
    print(f"Temps en s : médiane de {tours} tours ; mémoire : pic le plus haut des tours, en Mo.\n")
    entete = (
        f"{'lignes':>8} {'fichier Ko':>10} {'lecture nue':>11} {'lecture Balise':>14} {'(1re ligne)':>11} "
        f"{'bout en bout':>12} {'dépôt':>8} {'lire':>8} {'traiter':>8} {'agrégats':>8} {'× nue':>6} "
        f"{'exports':>8} {'requête de dépôt p95 ms':>23}"
    )
    print(entete)
    print("-" * len(entete))
    for taille, r in resumes.items():
        i = r["import_s"]
        print(
            f"{_nb(taille, 0):>8} {_nb(donnees[taille]['octets'] / 1024, 0):>10} {_nb(r['lecture_nue_s']):>11} "
            f"{_nb(r['lecture_balise_s']):>14} {_nb(r['lecture_balise_premiere_ligne_s']):>11} "
            f"{_nb(i['bout_en_bout']):>12} {_nb(i['deposer']):>8} {_nb(i['lire']):>8} {_nb(i['traiter']):>8} "
            f"{_nb(i['agregats']):>8} {_nb(r['ratio_lecture_nue'], 1):>6} "
            f"{_nb(i['export_xlsx'] + i['export_csv']):>8} {_nb(r['depot_ms']['p95'], 0):>23}"
        )
    print("\nDécomposition de « traiter » (s, médianes) :")
    print(f"{'':<44}" + "".join(f"{_nb(t, 0):>10}" for t in resumes))
    for cle, libelle in DECOMPOSITION:
        print(
            f"{libelle:<44}"
            + "".join(f"{_nb(r['decomposition_s'].get(cle, 0.0)):>10}" for r in resumes.values())
        )
    print(
        f"{'traiter (total)':<44}" + "".join(f"{_nb(r['import_s']['traiter']):>10}" for r in resumes.values())
    )
    print(
        f"{'pour comparer : lecture nue (lecteur seul)':<44}"
        + "".join(f"{_nb(r['lecture_nue_s']):>10}" for r in resumes.values())
    )
    print(
        f"{'  dont chargement du classeur':<44}"
        + "".join(f"{_nb(r['lecture_nue_chargement_s']):>10}" for r in resumes.values())
    )
    print(
        f"{'lire : en-tête relu après conversion':<44}"
        + "".join(
            f"{_nb(r['decomposition_s'].get('lire.lecture_ouverture', 0.0)):>10}" for r in resumes.values()
        )
    )
    print("\nMémoire de pointe (Mo) :")
    entete = (
        f"{'lignes':>8} {'lecture nue':>11} {'Balise : proc. + enfant':>23} {'Django prêt':>11} "
        f"{'import : processus':>18} {'enfant':>7} {'somme':>7} {'hausse':>7} {'après exports':>13}"
    )
    print(entete)
    print("-" * len(entete))
    for taille, r in resumes.items():
        m, mi = r["memoire_mo"], r["memoire_mo"]["import"]
        print(
            f"{_nb(taille, 0):>8} {_nb(m['lecture_nue'], 0):>11} "
            f"{_nb(m['lecture_balise_processus'], 0) + ' + ' + _nb(m['lecture_balise_enfant'], 0):>23} "
            f"{_nb(mi['base_prete_mo'], 0):>11} {_nb(mi['processus_mo'], 0):>18} {_nb(mi['enfant_mo'], 0):>7} "
            f"{_nb(mi['somme_mo'], 0):>7} {_nb(mi['processus_mo'] - mi['base_prete_mo'], 0):>7} "
            f"{_nb(mi['processus_apres_exports_mo'], 0):>13}"
        )
    print(
        f"(processus qui vient de configurer Django : {_nb(mi['base_django_mo'], 0)} Mo ; « Django prêt » : après"
    )
    print(" l'import de mise en température ; « hausse » : pic du processus moins « Django prêt ».)")
    for taille, r in resumes.items():
        etapes = r["memoire_mo"]["import"]["processus_fin_etape_mo"]
        print(
            f"{_nb(taille, 0):>8} lignes, pic du processus à la fin de chaque étape : "
            + ", ".join(f"{etape} {_nb(pic, 0)}" for etape, pic in etapes.items())
        )
    print("\nDonnées et résultat de l'import :")
    for taille, r in resumes.items():
        d, res = donnees[taille], r["resultats_import"]
        a_revoir = sum(res["statuts"].get(s, 0) for s in ("douteux", "inconnu"))
        print(
            f"{_nb(taille, 0):>8} lignes : {d['libelles_distincts']} libellés distincts, "
            f"{_nb(d['part_metiers_inconnus_pct'], 1)} % d'agents aux métiers hors référentiel ; "
            f"{res['lignes_rejetees']} lignes rejetées, {res['libelles']} libellés normalisés "
            f"({a_revoir} à revoir), {res['groupes']} groupes ; statuts {res['statuts']}"
        )


def objectifs(resumes: dict[int, dict]) -> list[dict[str, Any]]:
    r = resumes.get(TAILLE_OBJECTIF)
    if r is None:
        return []
    duree, nue = r["import_s"]["bout_en_bout"], r["lecture_nue_s"]
    memoire_import = r["memoire_mo"]["import"]
    return [
        {
            "objectif": "100 000 lignes de bout en bout : < 10 s",
            "mesure": duree,
            "unite": "s",
            "atteint": duree < OBJECTIF_S,
        },
        {
            "objectif": "100 000 lignes : ≤ 3 × la lecture nue",
            "mesure": r["ratio_lecture_nue"],
            "unite": "× lecture nue",
            "atteint": duree <= OBJECTIF_RATIO * nue,
        },
        {
            "objectif": "100 000 lignes : requête de dépôt, p95 < 300 ms",
            "mesure": r["depot_ms"]["p95"],
            "unite": "ms",
            "atteint": r["depot_ms"]["p95"] < 300,
        },
        {
            "objectif": "100 000 lignes : mémoire de pointe < 500 Mo (processus + enfant)",
            "mesure": memoire_import["somme_mo"],
            "unite": "Mo",
            "atteint": memoire_import["somme_mo"] < OBJECTIF_MO,
        },
    ]


# --------------------------------------------------------------------------------------------------


def preparer_django(base: str, dossier: Path) -> None:
    """Base neuve, réglages de production, migrations, une organisation et une personne."""
    commun.configurer_django(base, dossier, NOM_BASE_PG, "127.0.0.1")
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation

    organisation = Organisation.objects.create(
        nom="Communauté d'agglomération du Banc des effectifs",
        slug=SLUG,
        type="epci",
        siren="200000172",
        population=185_000,
        nombre_agents=100_000,
    )
    personne = Utilisateur.objects.create_user(COURRIEL, None, first_name="Claire", last_name="Petit")
    # DRH de l'organisation : la requête de dépôt est mesurée par la vraie page.
    Adhesion.objects.create(utilisateur=personne, organisation=organisation, role="rh")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--tailles", default="1000,10000,100000", help="lignes par fichier (défaut 1000,10000,100000)"
    )
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", dest="format_")
    parser.add_argument("--tours", type=int, default=3, help="mesures par taille (défaut 3)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/effectifs-<base>.json)"
    )
    parser.add_argument("--sous-mesure", choices=list(SOUS_MESURES), help=argparse.SUPPRESS)
    parser.add_argument("--fichier", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(RACINE))
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    if args.sous_mesure:  # processus neuf lancé par `sous_mesure` : environnement déjà prêt
        print(MARQUE + json.dumps(SOUS_MESURES[args.sous_mesure](args.fichier)), flush=True)
        return 0

    tailles = [int(t) for t in args.tailles.split(",")]
    if args.tours < 1 or any(t < 1 for t in tailles):
        parser.error("--tours et --tailles sont des entiers positifs")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    debut = time.monotonic()
    charge_avant = os.getloadavg()[0]
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-effectifs-"))
    try:
        preparer_django(args.base, dossier)
        from django.db import connections

        description = commun.machine(args.base)
        connections.close_all()
        fichiers: dict[int, Path] = {}
        donnees: dict[int, dict[str, Any]] = {}
        for taille in tailles:
            t0 = time.monotonic()
            fichiers[taille], donnees[taille] = generer(dossier, taille, args.format_)
            print(
                f"Fichier de {_nb(taille, 0)} lignes : {_nb(donnees[taille]['octets'] / 1024, 0)} Ko, "
                f"{donnees[taille]['libelles_distincts']} libellés distincts "
                f"(généré en {time.monotonic() - t0:.1f} s)",
                flush=True,
            )
        etalon_debut = commun.etalon()
        mesures: dict[int, dict[str, list[dict[str, Any]]]] = {}
        for taille in tailles:
            mesures[taille] = {mode: [] for mode in SOUS_MESURES}
            for tour in range(args.tours):
                # Les trois mesures en alternance : une dérive de la machine pèse sur chacune.
                for mode in SOUS_MESURES:
                    mesures[taille][mode].append(sous_mesure(mode, fichiers[taille]))
                m = {mode: mesures[taille][mode][-1] for mode in SOUS_MESURES}
                print(
                    f"  {_nb(taille, 0)} lignes, tour {tour + 1} : lecture nue {_nb(m['lecture-nue']['duree_s'])} s, "
                    f"Balise {_nb(m['lecture-balise']['duree_s'])} s, import "
                    f"{_nb(m['import']['durees_s']['bout_en_bout'])} s, {_nb(m['import']['memoire']['somme_mo'], 0)} Mo",
                    flush=True,
                )
        etalon_fin = commun.etalon()
        resumes = {taille: resumer(mesures[taille]) for taille in tailles}
        afficher(description, donnees, resumes, args.tours)
        verdicts = objectifs(resumes)
        if verdicts:
            print("\nObjectifs (100 000 lignes) :")
            for v in verdicts:
                print(
                    f"  {v['objectif']:<66} {_nb(v['mesure'], 2) + ' ' + v['unite']:>18} : "
                    f"{'atteint' if v['atteint'] else 'manqué'}"
                )
        charge_apres = os.getloadavg()[0]
        print(
            f"\nCharge moyenne (1 min) : {charge_avant:.2f} avant le banc, {charge_apres:.2f} à la fin (banc compris)."
            f"\nÉtalon CPU (boucle Python fixe, plus bas = plus rapide) : {etalon_debut:.0f} ms avant les mesures, "
            f"{etalon_fin:.0f} ms après."
        )
        if max(etalon_debut, etalon_fin) > 1.2 * min(etalon_debut, etalon_fin):
            print(
                "ATTENTION : la vitesse du processeur a changé pendant le banc (étalon) ; mesures bruitées."
            )
        sortie = (args.sortie or RESULTATS / f"effectifs-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/effectifs.py",
                "machine": description,
                "execution": "une mesure par processus neuf, BALISE_DEBUG=0 ; temps : médianes, mémoire : maximum",
                "parametres": {
                    "tailles": tailles,
                    "format": args.format_,
                    "tours": args.tours,
                    "graine": GRAINE,
                },
                "donnees": {str(t): d for t, d in donnees.items()},
                "charge_moyenne_1min": {"avant": charge_avant, "fin_banc_compris": charge_apres},
                "etalon_cpu_ms": {"avant": etalon_debut, "apres": etalon_fin},
                "objectifs": verdicts,
                "resumes": {str(t): r for t, r in resumes.items()},
                "mesures": {str(t): m for t, m in mesures.items()},
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"\nRésultats : {sortie} ({time.monotonic() - debut:.0f} s au total)")
        return 0
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())

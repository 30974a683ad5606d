"""Banc de mesure des instruments : vue consolidée d'une évaluation à 50 évaluateurs et dossier PDF d'un système.

Usage : .venv/bin/python bench/instruments.py [--base sqlite|postgresql] [--tours 30] [--tours-pdf 10]

Le banc crée une base neuve (réglages de production : BALISE_DEBUG=0), la remplit avec les services de
Balise (une organisation, un système à la fiche complète, 50 membres invités à coter un radar de décision
à deux moments et un girouet), puis chronomètre dans le processus, avec le client de test de Django :

- la vue consolidée `/o/<org>/evaluations/<pk>/` du radar et du girouet (objectif : p50 < 200 ms) ;
- le dossier PDF du système, par sa page `/o/<org>/registre/<pk>/dossier.pdf` et par un appel direct
  à `dossier.pdf()` (objectif : p50 < 1,5 s) ;
- pendant ces mêmes appels, le temps de chaque étape (`selectors.resultat` : lecture des cotations et
  calcul ; graphique SVG ; HTML du dossier ; mise en page et écriture par WeasyPrint), du SQL, des
  gabarits et du ramasse-miettes, pour voir où passe le temps.

Il affiche un tableau, l'atteinte des objectifs, écrit bench/resultats/instruments-<base>.json et
supprime la base. Le dessin seul du radar SVG est mesuré par bench/instruments_svg.py.
Voir bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_instruments"
HOTE = "testserver"

NB_EVALUATEURS = 50
MISE_EN_TEMPERATURE = 2
OBJECTIF_PAGE_MS = 200.0
OBJECTIF_PDF_MS = 1500.0
NOM_SYSTEME = "Assistant de réponse aux usagers du Banc"

# --------------------------------------------------------------------------------------------------
# Données : une organisation, un système, 50 évaluateurs aux profils variés.
# --------------------------------------------------------------------------------------------------

FICHE: dict[str, Any] = {
    "nom": NOM_SYSTEME,
    "finalite": "Répondre en ligne, jour et nuit, aux questions courantes des habitants (déchets, eau, "
    "démarches, horaires des équipements) à partir des pages du site et des délibérations ; "
    "orienter vers le bon service quand la question sort de ce périmètre.",
    "service": "Direction de la relation aux usagers",
    "responsable": "Claire Petit, cheffe de projet relation usagers",
    "domaine": "relation_usagers",
    "type_ia": "generative",
    "cible": "usagers",
    "positionnement": "innover",
    "usage_non_declare": False,
    "realisation": "prestataire",
    "fournisseur": "Éditeur français de solutions conversationnelles",
    "modeles": "Mistral Small (génération augmentée par recherche sur le site de la collectivité)",
    "hebergement": "france",
    "hebergeur": "Hébergeur qualifié SecNumCloud",
    "donnees": "Pages publiques du site, délibérations, foire aux questions ; les questions posées sont "
    "conservées 30 jours, sans identifiant, pour améliorer les réponses.",
    "sources_donnees": "Site de la collectivité, base des délibérations, foire aux questions des services.",
    "donnees_personnelles": True,
    "donnees_sensibles": False,
    "contribution_decision": "Le système informe et oriente ; il ne prend ni ne prépare aucune décision "
    "individuelle. Un agent reprend toute demande qui appelle une décision.",
    "decision_individuelle": False,
    "supervision_humaine": "Relecture hebdomadaire d'un échantillon de conversations par le service ; "
    "signalement des réponses erronées par les usagers.",
    "mode_degrade": "Retour au formulaire de contact et à l'accueil téléphonique.",
    "cout_investissement": Decimal("48000"),
    "cout_annuel": Decimal("12500"),
    "benefices_attendus": "Réponses immédiates aux questions simples ; temps d'agent libéré pour "
    "l'accueil des demandes complexes ; délais de réponse réduits.",
    "contact": "transparence@banc-instruments.example",
}
PRENOMS = ["Claire", "Marc", "Sophie", "Karim", "Léa", "Paul", "Inès", "Hugo", "Nadia", "Julien"]
NOMS = ["Petit", "Roux", "Lefèvre", "Benali", "Moreau", "Girard", "Martin", "Fontaine", "Diallo", "Garnier"]
# Poids relatifs des profils parmi les 50 évaluateurs (surtout des agents et de l'encadrement).
PROFILS = {
    "agent": 16,
    "direction": 10,
    "numerique": 6,
    "elu": 6,
    "juridique": 4,
    "representant": 4,
    "autre": 4,
}
# Penchant de chaque profil (décalage de la note moyenne) : de quoi faire apparaître des divergences.
PENCHANTS = {
    "agent": -0.6,
    "direction": 0.5,
    "numerique": 0.2,
    "elu": 0.7,
    "juridique": -0.3,
    "representant": -0.8,
    "autre": 0.0,
}
ROLES = ["lecteur"] * 6 + ["comite", "comite", "referent", "dpo"]
COMMENTAIRES = [
    "Point à vérifier avec le prestataire avant la mise en production.",
    "Les agents de l'accueil n'ont pas été consultés sur ce point.",
    "Bénéfice réel pour les usagers, à condition de garder un accès humain.",
    "Le contrat ne dit rien de la localisation des journaux techniques.",
    "Je manque d'éléments pour me prononcer ; une démonstration aiderait.",
    "La charge de relecture des réponses n'est pas chiffrée.",
    "Cohérent avec le schéma directeur du numérique adopté l'an dernier.",
    "Risque de réponses erronées sur les tarifs : prévoir une mise à jour régulière.",
    "Les représentants du personnel demandent un bilan à six mois.",
    "Consommation énergétique du modèle à documenter.",
]


def _note(alea: random.Random, minimum: int, maximum: int, penchant: float) -> int:
    milieu = (minimum + maximum) / 2
    return max(minimum, min(maximum, round(alea.gauss(milieu + penchant, 0.9))))


def _saisies(alea: random.Random, definition: Any, profil: str) -> dict[str, Any]:
    """Une réponse par item : une note de l'échelle (parfois « sans objet » quand l'échelle le permet)
    et, une fois sur cinq environ, un commentaire."""
    from balise.instruments.services import Saisie

    saisies = {}
    for item in definition.items_notes:
        echelle = definition.echelle_de(item)
        commentaire = alea.choice(COMMENTAIRES) if alea.random() < 0.2 else ""
        if echelle.sans_objet and alea.random() < 0.06:
            saisies[item.id] = Saisie(sans_objet=True, commentaire=commentaire)
        else:
            valeur = _note(alea, echelle.minimum, echelle.maximum, PENCHANTS[profil])
            saisies[item.id] = Saisie(valeur=valeur, commentaire=commentaire)
    return saisies


@dataclass
class Jeu:
    """Ce que le remplissage a créé et dont les mesures ont besoin."""

    org: str
    organisation_id: int
    systeme: int
    radar: int  # la dernière évaluation finalisée du radar (celle du dossier)
    radar_amont: int
    girouet: int
    pilote_id: int
    evaluations_finalisees: int
    reponses: int
    duree_s: float = 0.0


def remplir(alea: random.Random) -> Jeu:
    """Remplit la base (Django déjà configuré) par les services de Balise, comme le feraient les pages."""
    from django.db import transaction

    from balise.comptes.models import Utilisateur
    from balise.instruments import services as instruments
    from balise.instruments.models import DefinitionInstrument, Evaluation, Reponse
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre import services as registre

    debut = time.monotonic()
    with transaction.atomic():
        org = Organisation.objects.create(
            nom="Communauté d'agglomération du Banc d'essai",
            slug="banc-instruments",
            type="epci",
            siren="200000172",
            population=185_000,
            nombre_agents=2_400,
            contact_public="transparence@banc-instruments.example",
        )
        # Pas de mot de passe (inutilisable) : hacher 51 mots de passe Argon2 ne mesure rien d'utile.
        pilote = Utilisateur.objects.create_user(
            "referente@banc-instruments.example", None, first_name="Claire", last_name="Petit"
        )
        Adhesion.objects.create(utilisateur=pilote, organisation=org, role="referent")
        membres = []
        for i in range(NB_EVALUATEURS):
            personne = Utilisateur.objects.create_user(
                f"evaluateur{i + 1:02d}@banc-instruments.example",
                None,
                first_name=alea.choice(PRENOMS),
                last_name=f"{alea.choice(NOMS)} {i + 1}",
            )
            Adhesion.objects.create(utilisateur=personne, organisation=org, role=alea.choice(ROLES))
            membres.append(personne)
        profils = alea.choices(list(PROFILS), weights=list(PROFILS.values()), k=NB_EVALUATEURS)
        systeme = registre.creer_systeme(org, FICHE, pilote)
        # La porte de l'expérimentation attend un radar amont : une administratrice la passe en le
        # justifiant (le dossier montre alors cette justification, comme dans la vie).
        administratrice = Utilisateur.objects.create_user(
            "dgs@banc-instruments.example", None, first_name="Anne", last_name="Roux"
        )
        Adhesion.objects.create(utilisateur=administratrice, organisation=org, role="administrateur")
        systeme = registre.changer_stade(systeme.pk, "etude", "", pilote, systeme.version)
        systeme = registre.changer_stade(
            systeme.pk,
            "experimentation",
            "",
            administratrice,
            systeme.version,
            justification="Expérimentation décidée en comité de direction ; radar amont à faire.",
        )

    def instrument(code: str) -> DefinitionInstrument:
        return DefinitionInstrument.objects.filter(organisation=None, code=code).order_by("-version").first()

    def evaluation_complete(code: str, moment: str) -> Evaluation:
        evaluation = instruments.demarrer_evaluation(systeme, instrument(code), moment, pilote)
        definition = evaluation.instrument.definition
        for personne, profil in zip(membres, profils, strict=True):
            instruments.inviter_evaluateur(evaluation, personne, profil, pilote)
        for personne, profil in zip(membres, profils, strict=True):
            instruments.coter(evaluation, personne, _saisies(alea, definition, profil))
        return instruments.finaliser(evaluation, pilote)

    # Chaque service ouvre sa propre transaction (verrou de l'évaluation) ; on les enchaîne comme les pages.
    radar_amont = evaluation_complete("radar-decision", "amont")
    girouet = evaluation_complete("girouet", "preparation")
    radar = evaluation_complete("radar-decision", "preparation")
    return Jeu(
        org=org.slug,
        organisation_id=org.pk,
        systeme=systeme.pk,
        radar=radar.pk,
        radar_amont=radar_amont.pk,
        girouet=girouet.pk,
        pilote_id=pilote.pk,
        evaluations_finalisees=Evaluation.objects.filter(statut="finalisee").count(),
        reponses=Reponse.objects.count(),
        duree_s=round(time.monotonic() - debut, 1),
    )


# --------------------------------------------------------------------------------------------------
# Base de données
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Mesure
# --------------------------------------------------------------------------------------------------


@dataclass
class Mesure:
    nom: str
    tours: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    min_ms: float
    objectif_ms: float | None = None
    requetes_sql: int | None = None
    sql_ms: float | None = None  # temps moyen d'exécution SQL (pilote compris) par appel
    gabarits_ms: float | None = None  # rendu des gabarits, hors SQL déclenché pendant le rendu
    gc_ms: float | None = None  # ramasse-miettes cyclique de Python (gc), par appel
    etapes_ms: dict[str, float] = field(default_factory=dict)  # temps moyen par appel de chaque étape
    details: dict[str, Any] = field(default_factory=dict)
    durees_ms: list[float] = field(default_factory=list)

    @property
    def atteint(self) -> bool | None:
        return None if self.objectif_ms is None else self.p50_ms < self.objectif_ms


# Les étapes chronométrées pendant les appels mesurés eux-mêmes : (libellé, module ou classe, attribut).
# Les vues et dossier.py appellent ces fonctions par leur module (selectors.resultat, presentation.graphique,
# html(), HTML.render…) : remplacer l'attribut suffit à les chronométrer sans rien changer à Balise.
ETAPES = [
    ("selectors.resultat (lecture + calcul)", "balise.instruments.selectors", "resultat"),
    ("  lecture des cotations (_cotations)", "balise.instruments.selectors", "_cotations"),
    ("  validation de la définition", "balise.instruments.models", "valider"),
    ("  calcul (calculer)", "balise.instruments.selectors", "calculer"),
    ("graphique SVG (presentation.graphique)", "balise.instruments.presentation", "graphique"),
    ("dossier.html (données + gabarit)", "balise.instruments.dossier", "html"),
    ("  selectors.dernieres_finalisees", "balise.instruments.selectors", "dernieres_finalisees"),
    ("WeasyPrint : lecture HTML/CSS et mise en page", "weasyprint:HTML", "render"),
    ("WeasyPrint : dessin et écriture du PDF", "weasyprint.document:Document", "write_pdf"),
]


def _cible(chemin: str) -> Any:
    import importlib

    module, _, classe = chemin.partition(":")
    objet = importlib.import_module(module)
    return getattr(objet, classe) if classe else objet


class Compteurs:
    """Pendant un bloc `with` : temps d'exécution SQL (`connection.execute_wrapper`), de rendu des
    gabarits Django (hors SQL déclenché pendant le rendu), du ramasse-miettes cyclique (`gc.callbacks`)
    et de chacune des ETAPES (fonctions remplacées le temps du bloc par une enveloppe chronométrée).
    Coût propre : deux appels à `perf_counter` par requête, gabarit, passage du ramasse-miettes ou
    appel d'une étape, négligeable ici."""

    def __init__(self) -> None:
        self.valeurs: dict[str, float] = {"sql": 0.0, "sql_n": 0, "gabarits": 0.0, "gc": 0.0}
        self._sql_gabarits = 0.0
        self._profondeur = 0
        self._gc_debut = 0.0
        self._remplacees: list[tuple[Any, str, Any]] = []

    def releve(self) -> dict[str, float]:
        return {**self.valeurs, "gabarits": self.valeurs["gabarits"] - self._sql_gabarits}

    def _ajouter(self, cle: str, duree: float) -> None:
        self.valeurs[cle] = self.valeurs.get(cle, 0.0) + duree

    def _minuter_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_debut = time.perf_counter()
        else:
            self._ajouter("gc", time.perf_counter() - self._gc_debut)

    def _minuter_sql(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            duree = time.perf_counter() - t0
            self._ajouter("sql", duree)
            self._ajouter("sql_n", 1)
            if self._profondeur:
                self._sql_gabarits += duree

    def _remplacer(self, proprietaire: Any, attribut: str, nouvelle: Any) -> None:
        self._remplacees.append((proprietaire, attribut, getattr(proprietaire, attribut)))
        setattr(proprietaire, attribut, nouvelle)

    def _etape(self, libelle: str, originale: Callable[..., Any]) -> Callable[..., Any]:
        def chronometree(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return originale(*args, **kwargs)
            finally:
                self._ajouter(libelle, time.perf_counter() - t0)

        return chronometree

    def __enter__(self) -> Compteurs:
        from django.db import connection
        from django.template.backends.django import Template as GabaritDjango

        rendu_original = GabaritDjango.render

        def rendu_minute(gabarit, context=None, request=None):  # type: ignore[no-untyped-def]
            self._profondeur += 1  # les widgets et les inclusions rendent des gabarits imbriqués
            t0 = time.perf_counter()
            try:
                return rendu_original(gabarit, context, request)
            finally:
                self._profondeur -= 1
                if not self._profondeur:
                    self._ajouter("gabarits", time.perf_counter() - t0)

        self._remplacer(GabaritDjango, "render", rendu_minute)
        for libelle, chemin, attribut in ETAPES:
            proprietaire = _cible(chemin)
            self._remplacer(proprietaire, attribut, self._etape(libelle, getattr(proprietaire, attribut)))
        gc.callbacks.append(self._minuter_gc)
        self._enveloppe = connection.execute_wrapper(self._minuter_sql)
        self._enveloppe.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._enveloppe.__exit__(*exc)
        gc.callbacks.remove(self._minuter_gc)
        for proprietaire, attribut, originale in reversed(self._remplacees):
            setattr(proprietaire, attribut, originale)
        self._remplacees.clear()


def centile(durees: list[float], p: int) -> float:
    if len(durees) < 2:
        return durees[0]
    return statistics.quantiles(durees, n=100, method="inclusive")[p - 1]


@dataclass
class Cas:
    nom: str
    fonction: Callable[[], object]
    objectif_ms: float | None = None


def chronometrer(cas: list[Cas], tours: int, compteurs: Compteurs) -> list[Mesure]:
    """`MISE_EN_TEMPERATURE` appels non comptés de chaque cas, puis `tours` appels chronométrés un à
    un, les cas en alternance (A, B, A, B…) : une dérive de la machine ou de la mémoire du processus
    pèse sur tous les cas de la même façon, et leur comparaison reste juste."""
    for c in cas:
        for _ in range(MISE_EN_TEMPERATURE):
            c.fonction()
    durees: list[list[float]] = [[] for _ in cas]
    cumuls: list[dict[str, float]] = [{} for _ in cas]
    for _ in range(tours):
        for i, c in enumerate(cas):
            avant = compteurs.releve()
            t0 = time.perf_counter()
            c.fonction()
            durees[i].append((time.perf_counter() - t0) * 1000)
            for cle, valeur in compteurs.releve().items():
                cumuls[i][cle] = cumuls[i].get(cle, 0.0) + valeur - avant.get(cle, 0.0)
    mesures = []
    for i, c in enumerate(cas):
        moyennes = {cle: valeur / tours for cle, valeur in cumuls[i].items()}
        mesures.append(
            Mesure(
                nom=c.nom,
                tours=tours,
                p50_ms=round(statistics.median(durees[i]), 2),
                p95_ms=round(centile(durees[i], 95), 2),
                max_ms=round(max(durees[i]), 2),
                min_ms=round(min(durees[i]), 2),
                objectif_ms=c.objectif_ms,
                requetes_sql=round(moyennes.pop("sql_n")),
                sql_ms=round(moyennes.pop("sql") * 1000, 2),
                gabarits_ms=round(moyennes.pop("gabarits") * 1000, 2),
                gc_ms=round(moyennes.pop("gc") * 1000, 2),
                etapes_ms={
                    libelle.strip(): round(moyennes[libelle] * 1000, 2)
                    for libelle, _, _ in ETAPES
                    if moyennes.get(libelle)
                },
                durees_ms=[round(d, 2) for d in durees[i]],
            )
        )
    return mesures


def compter_requetes(fonction: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        fonction()
    return len(capture.captured_queries)


def verifier_page(client: Any, chemin: str, attendus: list[str]) -> int:
    """Statut 200 et contenu attendu (pas une redirection vers la connexion) ; renvoie la taille en octets."""
    reponse = client.get(chemin)
    if reponse.status_code != 200:
        raise RuntimeError(f"{chemin} : statut {reponse.status_code}")
    texte = reponse.content.decode()
    for attendu in attendus:
        if attendu not in texte:
            raise RuntimeError(f"{chemin} : « {attendu} » absent de la page")
    return len(reponse.content)


def verifier_pdf(contenu: bytes, attendus: list[str]) -> dict[str, Any]:
    """C'est un PDF, et son texte (lu par pypdf) contient les textes attendus ; taille et pages."""
    from pypdf import PdfReader

    if not contenu.startswith(b"%PDF"):
        raise RuntimeError("le dossier n'est pas un PDF (pas d'en-tête %PDF)")
    lecteur = PdfReader(io.BytesIO(contenu))
    texte = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in lecteur.pages))
    for attendu in attendus:
        if attendu not in texte:
            raise RuntimeError(f"« {attendu} » absent du texte du PDF")
    return {"taille_ko": round(len(contenu) / 1024, 1), "pages": len(lecteur.pages)}


class SondeCPU:
    """Part des cœurs prise par d'autres processus (et par l'hyperviseur : « steal ») pendant un bloc :
    occupation de toute la machine (/proc/stat) moins le temps CPU du banc lui-même."""

    @staticmethod
    def _lire() -> tuple[float, float, float]:
        with open("/proc/stat", encoding="ascii") as f:
            valeurs = [int(v) for v in f.readline().split()[1:9]]  # user … steal
        total = sum(valeurs) / _TICKS
        return total, total - (valeurs[3] + valeurs[4]) / _TICKS, sum(os.times()[:2])

    def __enter__(self) -> SondeCPU:
        self._avant = self._lire()
        self.autres_pct = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        total, occupe, banc = (b - a for a, b in zip(self._avant, self._lire(), strict=True))
        self.autres_pct = round(100 * max(0.0, occupe - banc) / total, 1) if total else 0.0


_TICKS = os.sysconf("SC_CLK_TCK")


def mesurer(jeu: Jeu, tours: int, tours_pdf: int) -> tuple[list[Mesure], dict[str, Any]]:
    from django.test import Client

    from balise.comptes.models import Utilisateur
    from balise.instruments import dossier, selectors
    from balise.registre.models import SystemeIA

    pilote = Utilisateur.objects.get(pk=jeu.pilote_id)
    client = Client(HTTP_HOST=HOTE)
    # force_login n'appelle pas authenticate() : django-axes n'intervient pas, la session est en base.
    client.force_login(pilote)

    page_radar = f"/o/{jeu.org}/evaluations/{jeu.radar}/"
    page_girouet = f"/o/{jeu.org}/evaluations/{jeu.girouet}/"
    page_dossier = f"/o/{jeu.org}/registre/{jeu.systeme}/dossier.pdf"
    controles: dict[str, Any] = {}
    for chemin in (page_radar, page_girouet):
        controles[chemin] = {
            "octets": verifier_page(
                client, chemin, ["Résultat par section", f"{NB_EVALUATEURS} évaluateurs ayant coté"]
            )
        }

    def radar() -> None:
        assert client.get(page_radar).status_code == 200

    def girouet() -> None:
        assert client.get(page_girouet).status_code == 200

    def dossier_vue() -> bytes:
        reponse = client.get(page_dossier)
        assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
        return reponse.content

    systeme = SystemeIA.objects.select_related("organisation").get(pk=jeu.systeme)
    attendus_pdf = [NOM_SYSTEME, "Radar de décision", "Girouet"]
    controles["pdf()"] = verifier_pdf(dossier.pdf(systeme), attendus_pdf)
    controles[page_dossier] = verifier_pdf(dossier_vue(), attendus_pdf)
    controles["dossier : évaluations"] = [
        f"{s.resultat.definition.titre} — {s.libelle} ({s.resultat.evaluateurs} évaluateurs)"
        for s in selectors.dernieres_finalisees(systeme)
    ]
    requetes = {
        "radar": compter_requetes(radar),
        "girouet": compter_requetes(girouet),
        "vue pdf": compter_requetes(dossier_vue),
        "pdf": compter_requetes(lambda: dossier.pdf(systeme)),
    }

    print(f"Mesures : {tours} tours par page, {tours_pdf} par dossier PDF…", flush=True)
    mesures: list[Mesure] = []
    with Compteurs() as compteurs:
        mesures += chronometrer(
            [
                Cas("vue consolidée, radar (50 évaluateurs)", radar, OBJECTIF_PAGE_MS),
                Cas("vue consolidée, girouet (50 évaluateurs)", girouet, OBJECTIF_PAGE_MS),
            ],
            tours,
            compteurs,
        )
        print(f"  pages : p50 {mesures[0].p50_ms:.1f} et {mesures[1].p50_ms:.1f} ms", flush=True)
        mesures += chronometrer(
            [
                Cas("dossier PDF, page dossier.pdf", dossier_vue, OBJECTIF_PDF_MS),
                # Appelé ici, près du bas de la pile, WeasyPrint fait franchir sans cesse à CPython 3.11
                # la limite d'un bloc de sa pile de cadres (16 Kio, alloué et rendu par mmap/munmap à
                # chaque passage) : des dizaines de milliers d'appels système de plus que par la page,
                # appelée plus profond (middlewares). Voir bench/README.md, « Lire les chiffres ».
                Cas("dossier PDF, dossier.pdf()", lambda: dossier.pdf(systeme), OBJECTIF_PDF_MS),
            ],
            tours_pdf,
            compteurs,
        )
        print(f"  dossiers : p50 {mesures[2].p50_ms:.0f} et {mesures[3].p50_ms:.0f} ms", flush=True)
    for mesure, cle in zip(mesures, requetes, strict=True):
        mesure.requetes_sql = requetes[cle]  # le compte exact d'un appel (CaptureQueriesContext)
    mesures[2].details.update(controles[page_dossier])
    mesures[3].details.update(controles["pdf()"])
    return mesures, controles


# --------------------------------------------------------------------------------------------------
# Rapport
# --------------------------------------------------------------------------------------------------


def machine(base: str) -> dict[str, Any]:
    import pydyf
    import pypdf
    import weasyprint

    return commun.machine(base) | {
        "weasyprint": weasyprint.__version__,
        "pydyf": pydyf.__version__,
        "pypdf": pypdf.__version__,
    }


def _ms(valeur: float | None) -> str:
    if valeur is None:
        return "—"
    return f"{valeur:.2f}" if valeur < 1 else f"{valeur:.1f}"


def afficher(description: dict[str, Any], mesures: list[Mesure], controles: dict[str, Any]) -> None:
    print()
    print(
        f"Machine : {description['nproc']} cœur(s), {description['processeur']} ; Python "
        f"{description['python']}, Django {description['django']}, WeasyPrint {description['weasyprint']}, "
        f"{description['base']} ; {description['date']} ; révision {description['revision']}"
    )
    print()
    entete = (
        f"{'mesure':<42} {'tours':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL n':>6} {'SQL ms':>7} "
        f"{'gabarits ms':>11} {'gc ms':>6}"
    )
    print(entete)
    print("-" * len(entete))
    for m in mesures:
        print(
            f"{m.nom:<42} {m.tours:>5} {_ms(m.p50_ms):>8} {_ms(m.p95_ms):>8} {_ms(m.max_ms):>8} "
            f"{m.requetes_sql!s:>6} {_ms(m.sql_ms):>7} {_ms(m.gabarits_ms):>11} {_ms(m.gc_ms):>6}"
        )
    print("\nDécomposition (moyenne par appel, ms, chronométrée pendant les appels mesurés) :")
    colonnes = ["radar", "girouet", "page PDF", "pdf()"]
    print(f"{'étape':<46}" + "".join(f"{c:>10}" for c in colonnes))
    for libelle, _, _ in ETAPES:
        valeurs = [m.etapes_ms.get(libelle.strip()) for m in mesures]
        if any(valeurs):
            print(f"{libelle:<46}" + "".join(f"{_ms(v) if v else '—':>10}" for v in valeurs))
    print(
        f"{'moyenne de l’appel entier':<46}"
        + "".join(f"{_ms(statistics.fmean(m.durees_ms)):>10}" for m in mesures)
    )
    print()
    c = controles["pdf()"]
    print(f"Dossier PDF : {c['taille_ko']} ko, {c['pages']} pages ; évaluations présentées :")
    for ligne in controles["dossier : évaluations"]:
        print(f"  - {ligne}")
    print()
    objectifs = [
        ("vue consolidée de 50 évaluateurs : objectif < 200 ms", mesures[0:2]),
        ("dossier PDF : objectif < 1,5 s", mesures[2:4]),
    ]
    for libelle, concernees in objectifs:
        print(libelle)
        for m in concernees:
            verdict = "atteint" if m.atteint else "manqué"
            print(f"  {m.nom:<42} p50 {m.p50_ms:>8.1f} ms : {verdict}")


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tours", type=int, default=30, help="appels chronométrés par page (défaut 30)")
    parser.add_argument(
        "--tours-pdf", type=int, default=10, help="appels chronométrés par dossier PDF (défaut 10)"
    )
    parser.add_argument("--garder", action="store_true", help="ne pas supprimer la base (pour enquêter)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/instruments-<base>.json)"
    )
    args = parser.parse_args()
    if args.tours < 2 or args.tours_pdf < 2:
        parser.error("--tours et --tours-pdf valent au moins 2")
    # Un arrêt par SIGTERM passe aussi par le nettoyage (finally) : base supprimée.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    debut = time.monotonic()
    charge_avant = os.getloadavg()[0]

    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-instruments-"))
    try:
        # WhiteNoise signale l'absence de STATIC_ROOT (pas de collectstatic : aucun fichier statique servi ici).
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, f"{HOTE},127.0.0.1")
        from django.db import connections

        print("Remplissage par les services (50 évaluateurs × 3 évaluations)…", flush=True)
        jeu = remplir(random.Random(2026))
        print(
            f"  {jeu.evaluations_finalisees} évaluations finalisées, {jeu.reponses} cotations "
            f"en {jeu.duree_s:.0f} s",
            flush=True,
        )
        description = machine(args.base)
        etalon_debut = commun.etalon()
        with SondeCPU() as sonde:
            mesures, controles = mesurer(jeu, args.tours, args.tours_pdf)
        etalon_fin = commun.etalon()
        connections.close_all()

        afficher(description, mesures, controles)
        coeurs = os.cpu_count() or 1
        # La charge moyenne sur une minute compte le banc lui-même (un cœur occupé) : on le retire après.
        charge_apres = os.getloadavg()[0]
        print(
            f"\nCharge moyenne (1 min) : {charge_avant:.2f} avant le banc, {charge_apres:.2f} à la fin (banc "
            f"compris) ; autres processus pendant les mesures : {sonde.autres_pct:.0f} % des cœurs."
        )
        print(
            f"Étalon CPU (boucle Python fixe, plus bas = plus rapide) : {etalon_debut:.0f} ms avant les "
            f"mesures, {etalon_fin:.0f} ms après."
        )
        if charge_avant > 0.5 * coeurs or charge_apres - 1 > 0.5 * coeurs or sonde.autres_pct > 10:
            print(f"ATTENTION : machine occupée par d'autres processus ({coeurs} cœurs) ; mesures bruitées.")
        if max(etalon_debut, etalon_fin) > 1.2 * min(etalon_debut, etalon_fin):
            print(
                "ATTENTION : la vitesse du processeur a changé pendant le banc (étalon) ; mesures bruitées."
            )
        sortie = (args.sortie or RESULTATS / f"instruments-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/instruments.py",
                "machine": description,
                "execution": "dans le processus : client de test de Django (sans HTTP), BALISE_DEBUG=0",
                "donnees": {
                    "evaluateurs": NB_EVALUATEURS,
                    "evaluations_finalisees": jeu.evaluations_finalisees,
                    "cotations": jeu.reponses,
                    "duree_remplissage_s": jeu.duree_s,
                },
                "parametres": {
                    "tours": args.tours,
                    "tours_pdf": args.tours_pdf,
                    "mise_en_temperature": MISE_EN_TEMPERATURE,
                },
                "charge_moyenne_1min": {"avant": charge_avant, "fin_banc_compris": charge_apres},
                "cpu_autres_pct": sonde.autres_pct,
                "etalon_cpu_ms": {"avant": etalon_debut, "apres": etalon_fin},
                "controles": controles,
                "objectifs": [
                    {"mesure": m.nom, "objectif_ms": m.objectif_ms, "p50_ms": m.p50_ms, "atteint": m.atteint}
                    for m in mesures
                    if m.objectif_ms is not None
                ],
                "mesures": [asdict(m) for m in mesures],
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"\nRésultats : {sortie} ({time.monotonic() - debut:.0f} s au total)")
        return 0
    finally:
        if args.garder:
            print(f"Base conservée : {os.environ.get('BALISE_DATABASE_URL')}")
        else:
            commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())

"""Banc de mesure des pages du registre de Balise, servies comme en production (gunicorn, BALISE_DEBUG=0).

Usage : .venv/bin/python bench/registre.py [--base sqlite|postgresql]

Le banc crée une base neuve, la remplit (2 000 organisations × 10 systèmes d'IA, plus une organisation
de 500 systèmes publiés), démarre gunicorn sur 127.0.0.1, mesure les latences à 1 et 16 clients, affiche
un tableau et l'atteinte des objectifs, écrit bench/resultats/registre-<base>.json, puis arrête le
serveur et supprime la base. Voir bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench"
HOTE = "127.0.0.1"

NB_ORGANISATIONS = 2_000
SYSTEMES_PAR_ORGANISATION = 10
SYSTEMES_GRANDE_ORGANISATION = 500
TRAVAILLEURS = 2  # la machine de référence a 2 cœurs

# --------------------------------------------------------------------------------------------------
# Données : des fiches vraisemblables et valides (choix de referentiels.py et cycle_de_vie.py).
# --------------------------------------------------------------------------------------------------

# (nom, domaine, type_ia, cible, positionnement, service, finalité, modèles)
ARCHETYPES: list[tuple[str, str, str, str, str, str, str, str]] = [
    (
        "Assistant conversationnel pour les usagers",
        "relation_usagers",
        "generative",
        "usagers",
        "innover",
        "Direction de la relation aux usagers",
        "Répondre en ligne, jour et nuit, aux questions courantes des habitants (déchets, eau, "
        "démarches) à partir des pages du site et des délibérations.",
        "Mistral Small (RAG sur le site de la collectivité)",
    ),
    (
        "Tri automatique du courrier entrant",
        "gestion_administrative",
        "discriminante",
        "agents",
        "ameliorer",
        "Service courrier et archives",
        "Classer le courrier numérisé par service destinataire et repérer les demandes urgentes.",
        "Classifieur de textes (CamemBERT affiné)",
    ),
    (
        "Comptes rendus automatiques des conseils",
        "gestion_administrative",
        "generative",
        "agents",
        "ameliorer",
        "Secrétariat des assemblées",
        "Transcrire les enregistrements des séances et proposer un projet de compte rendu que le "
        "secrétariat relit et corrige.",
        "Whisper (transcription) et modèle de langage de l'éditeur",
    ),
    (
        "Comptage des flux piétons et cyclistes",
        "ville_intelligente",
        "discriminante",
        "usagers",
        "innover",
        "Direction de la voirie et des mobilités",
        "Compter les passages sur les axes principaux pour adapter les aménagements cyclables.",
        "Détection d'objets embarquée dans les capteurs (images non conservées)",
    ),
    (
        "Détection des fuites sur le réseau d'eau potable",
        "environnement",
        "predictive",
        "agents",
        "ameliorer",
        "Régie de l'eau",
        "Repérer les fuites probables à partir des débits nocturnes et des capteurs acoustiques "
        "pour prioriser les interventions.",
        "Modèle de séries temporelles (gradient boosting)",
    ),
    (
        "Optimisation des tournées de collecte des déchets",
        "environnement",
        "predictive",
        "agents",
        "innover",
        "Service propreté et déchets",
        "Prévoir le remplissage des bornes d'apport volontaire et planifier les tournées.",
        "Prévision de remplissage et optimisation de tournées",
    ),
    (
        "Aide à la gestion de crise inondation",
        "securite",
        "predictive",
        "agents",
        "innover",
        "Direction de la sécurité civile",
        "Anticiper les zones à évacuer à partir des prévisions de crue et des capteurs de niveau.",
        "Modèle hydrologique couplé à un modèle d'apprentissage",
    ),
    (
        "Pré-instruction des demandes d'aide sociale",
        "social",
        "discriminante",
        "agents",
        "ameliorer",
        "Centre communal d'action sociale",
        "Vérifier la complétude des dossiers déposés et signaler les pièces manquantes à l'agent.",
        "Reconnaissance de documents (OCR) et règles de complétude",
    ),
    (
        "Prévision de la fréquentation des cantines",
        "education",
        "predictive",
        "agents",
        "ameliorer",
        "Direction de l'éducation",
        "Prévoir le nombre de repas à préparer pour réduire le gaspillage alimentaire.",
        "Régression sur l'historique des inscriptions et le calendrier",
    ),
    (
        "Aide à la rédaction des offres d'emploi",
        "rh",
        "generative",
        "agents",
        "ameliorer",
        "Direction des ressources humaines",
        "Proposer une première version des fiches de poste et des offres d'emploi à partir du "
        "référentiel des métiers territoriaux.",
        "Assistant de rédaction grand public",
    ),
    (
        "Analyse des pièces des marchés publics",
        "finances",
        "generative",
        "agents",
        "innover",
        "Service de la commande publique",
        "Résumer les offres reçues et vérifier la présence des pièces exigées par le règlement de "
        "consultation.",
        "Modèle de langage hébergé par l'éditeur du profil acheteur",
    ),
    (
        "Assistant de code pour le service informatique",
        "systemes_information",
        "generative",
        "agents",
        "ameliorer",
        "Direction des systèmes d'information",
        "Suggérer du code et de la documentation lors de la maintenance des applications internes.",
        "Codestral (installation locale)",
    ),
    (
        "Sous-titrage des vidéos institutionnelles",
        "communication",
        "generative",
        "usagers",
        "ameliorer",
        "Direction de la communication",
        "Sous-titrer automatiquement les vidéos publiées pour les rendre accessibles.",
        "Whisper large",
    ),
    (
        "Instruction assistée des permis de construire",
        "ville_intelligente",
        "discriminante",
        "agents",
        "innover",
        "Service urbanisme",
        "Contrôler la conformité des pièces graphiques au plan local d'urbanisme avant instruction.",
        "Analyse de plans et règles du PLU",
    ),
    (
        "Usage d'un agent conversationnel grand public",
        "autre",
        "generative",
        "agents",
        "ameliorer",
        "Direction générale des services",
        "Reformuler des courriers et préparer des notes ; usage individuel repéré dans plusieurs services.",
        "Service en ligne grand public",
    ),
]
FOURNISSEURS = [
    "Éditeur français de solutions conversationnelles",
    "Éditeur de logiciels de gestion des assemblées",
    "Intégrateur régional",
    "Start-up lauréate d'un appel à projets",
    "Éditeur du progiciel métier",
    "Opérateur public de services numériques",
]
HEBERGEURS = ["Hébergeur qualifié SecNumCloud", "Datacentre de la collectivité", "Cloud de l'éditeur"]
PRENOMS = ["Claire", "Marc", "Sophie", "Karim", "Léa", "Paul", "Inès", "Hugo", "Nadia", "Julien"]
NOMS = ["Petit", "Roux", "Lefèvre", "Benali", "Moreau", "Girard", "Martin", "Fontaine", "Diallo", "Garnier"]
LIEUX = ["Val", "Mont", "Port", "Bourg", "Saint-Andéol", "Villeneuve", "Roche", "Pont", "Champ", "Bois"]
SUFFIXES = ["-sur-Loire", "-les-Bains", "-en-Vexin", "-la-Forêt", "-d'Azur", "-le-Château", "", "-Vieux"]
# Répartition réaliste des stades (beaucoup de tests, peu d'arrêts) ; les poids sont relatifs.
STADES = {
    "idee": 15,
    "etude": 15,
    "experimentation": 25,
    "decision": 8,
    "production": 27,
    "arret": 5,
    "abandon": 5,
}
MOTIFS_FIN = {
    "arret": "Coût de fonctionnement trop élevé au regard du service rendu.",
    "abandon": "Les données nécessaires n'étaient pas disponibles avec une qualité suffisante.",
}


def _siren(n: int) -> str:
    """Un SIREN fictif (préfixe 2, collectivités) dont la clé de Luhn est juste."""
    base = f"2{n:07d}"
    for cle in "0123456789":
        candidat = base + cle
        total = 0
        for i, c in enumerate(reversed(candidat)):
            chiffre = int(c) * (2 if i % 2 else 1)
            total += chiffre - 9 if chiffre > 9 else chiffre
        if total % 10 == 0:
            return candidat
    raise AssertionError("inatteignable")


def _fiche(alea: random.Random, n: int, *, publie_force: bool = False) -> dict[str, Any]:
    """Les champs d'un système d'IA, cohérents entre eux (stade, motif, publication, archivage)."""
    nom, domaine, type_ia, cible, positionnement, service, finalite, modeles = alea.choice(ARCHETYPES)
    stade = alea.choices(list(STADES), weights=list(STADES.values()))[0]
    realisation = alea.choice(["prestataire", "prestataire", "interne", "mixte", "grand_public"])
    archive = not publie_force and alea.random() < 0.03
    # On publie surtout ce qui est en production ; une fiche archivée n'est jamais publiée.
    publie = publie_force or (not archive and alea.random() < (0.7 if stade == "production" else 0.25))
    personnelles = alea.random() < 0.45
    responsable = f"{alea.choice(PRENOMS)} {alea.choice(NOMS)}, chef·fe de projet"
    return {
        "nom": f"{nom} ({n})" if n else nom,
        "finalite": finalite,
        "service": service,
        "responsable": responsable,
        "domaine": domaine,
        "type_ia": type_ia,
        "cible": cible,
        "positionnement": positionnement,
        "usage_non_declare": realisation == "grand_public" and alea.random() < 0.5,
        "realisation": realisation,
        "fournisseur": "" if realisation == "interne" else alea.choice(FOURNISSEURS),
        "modeles": modeles,
        "hebergement": alea.choice(["france", "france", "france", "ue", "hors_ue", "inconnu"]),
        "hebergeur": alea.choice(HEBERGEURS),
        "donnees": "Données métier du service ; les informations nominatives sont pseudonymisées."
        if personnelles
        else "Données techniques et documents publics, sans information nominative.",
        "sources_donnees": f"Applications métier de la {service.lower()}",
        "donnees_personnelles": personnelles,
        "donnees_sensibles": personnelles and alea.random() < 0.1,
        # Toujours renseigné : c'est la condition pour publier (services.publier).
        "contribution_decision": "Le système prépare une proposition ; la décision revient toujours à un "
        "agent, qui peut s'en écarter.",
        "decision_individuelle": cible == "usagers" and alea.random() < 0.2,
        "supervision_humaine": "Contrôle par échantillon chaque semaine par le service porteur.",
        "mode_degrade": "Retour à la procédure manuelle antérieure.",
        "cout_investissement": Decimal(alea.randrange(0, 120_000, 500)) if alea.random() < 0.7 else None,
        "cout_annuel": Decimal(alea.randrange(500, 40_000, 100)) if alea.random() < 0.7 else None,
        "benefices_attendus": "Temps d'agent libéré pour l'accueil et le conseil ; délais de réponse réduits.",
        "stade": stade,
        "motif_fin": MOTIFS_FIN.get(stade, ""),
        "publie": publie,
        "contact": "",
        "version": 1 + list(STADES).index(stade),
        "cree_le": datetime.now(UTC) - timedelta(days=alea.randrange(1, 900)),
        "archive_le": datetime.now(UTC) - timedelta(days=alea.randrange(1, 60)) if archive else None,
    }


@dataclass
class Jeu:
    """Ce que le remplissage a créé et dont les mesures ont besoin."""

    org: str  # organisation « type » (10 systèmes) dont la personne est membre
    grande_org: str  # organisation de 500 systèmes publiés
    systeme_detail: int
    domaine_filtre: str
    resultats_filtre: int
    session: str
    nb_systemes: int


def remplir(alea: random.Random) -> Jeu:
    """Remplit la base (Django déjà configuré) ; bulk_create, donc sans historique simple-history."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.db.models import Count

    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre.models import ChangementStade, SystemeIA

    types = ["commune"] * 6 + ["epci", "epci", "departement", "region", "cdg", "syndicat_mixte"]
    prefixes = {
        "commune": "Commune de",
        "epci": "Communauté de communes de",
        "departement": "Département de",
        "region": "Région de",
        "cdg": "Centre de gestion de",
        "syndicat_mixte": "Syndicat mixte de",
    }
    with transaction.atomic():
        organisations = []
        for i in range(NB_ORGANISATIONS):
            lieu = f"{alea.choice(LIEUX)}{alea.choice(SUFFIXES)}"
            type_org = alea.choice(types)
            organisations.append(
                Organisation(
                    nom=f"{prefixes[type_org]} {lieu} n° {i + 1}",
                    slug=f"banc-{i + 1:04d}",
                    type=type_org,
                    siren=_siren(i + 1),
                    population=alea.randrange(300, 250_000),
                    nombre_agents=alea.randrange(5, 4_000),
                    contact_public=f"transparence{i + 1}@banc.example",
                )
            )
        organisations.append(
            Organisation(
                nom="Métropole du Banc d'essai",
                slug="banc-metropole",
                type="epci",
                siren=_siren(NB_ORGANISATIONS + 1),
                population=520_000,
                nombre_agents=7_500,
                contact_public="donnees@banc-metropole.example",
            )
        )
        organisations = Organisation.objects.bulk_create(organisations, batch_size=500)
        grande = organisations[-1]

        systemes = [
            SystemeIA(organisation=o, **_fiche(alea, n))
            for o in organisations[:-1]
            for n in range(SYSTEMES_PAR_ORGANISATION)
        ]
        systemes += [
            SystemeIA(organisation=grande, **_fiche(alea, n + 1, publie_force=True))
            for n in range(SYSTEMES_GRANDE_ORGANISATION)
        ]
        SystemeIA.objects.bulk_create(systemes, batch_size=500)

        # L'organisation « type » : la première qui a au moins deux systèmes actifs en production
        # dans un même domaine, pour que la liste filtrée ne soit pas vide.
        cible = (
            SystemeIA.objects.filter(stade="production", archive_le__isnull=True)
            .exclude(organisation=grande)
            .values("organisation_id", "domaine")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .order_by("organisation_id", "domaine")
            .first()
        )
        assert cible is not None, "aucune organisation ne convient pour la liste filtrée"
        org = Organisation.objects.get(pk=cible["organisation_id"])
        detail = (
            SystemeIA.objects.filter(
                organisation=org, stade="production", domaine=cible["domaine"], archive_le__isnull=True
            )
            .order_by("pk")
            .first()
        )
        assert detail is not None

        personne = Utilisateur.objects.create_user(
            "elu@banc.example", None, first_name="Jean", last_name="Dubois"
        )
        autres = [o for o in organisations[:5] if o.pk != org.pk][:3]
        Adhesion.objects.bulk_create(
            [Adhesion(utilisateur=personne, organisation=o, role="lecteur") for o in [org, grande, *autres]]
        )
        # Une chronologie plausible sur la fiche mesurée (idée → … → production).
        parcours = ["idee", "etude", "experimentation", "decision", "production"]
        ChangementStade.objects.bulk_create(
            [
                ChangementStade(systeme=detail, depuis=a, vers=b, par=personne, motif="")
                for a, b in zip(parcours, parcours[1:], strict=False)
            ]
        )

    # Session ouverte directement en base : le cookie « Secure » ne gêne pas http.client.
    session = SessionStore()
    session["_auth_user_id"] = str(personne.pk)
    session["_auth_user_backend"] = "balise.comptes.backends.PersonneEnCache"
    session["_auth_user_hash"] = personne.get_session_auth_hash()
    session.save()
    assert session.session_key is not None
    return Jeu(
        org=org.slug,
        grande_org=grande.slug,
        systeme_detail=detail.pk,
        domaine_filtre=cible["domaine"],
        resultats_filtre=cible["n"],
        session=session.session_key,
        nb_systemes=SystemeIA.objects.count(),
    )


# --------------------------------------------------------------------------------------------------
# Base de données, serveur
# --------------------------------------------------------------------------------------------------


def port_libre() -> int:
    with socket.socket() as s:
        s.bind((HOTE, 0))
        return s.getsockname()[1]


def demarrer_serveur(env: dict[str, str], port: int, journal: Path) -> subprocess.Popen[bytes]:
    commande = [
        sys.executable,
        "-m",
        "gunicorn",
        "balise.wsgi:application",
        f"--bind={HOTE}:{port}",
        f"--workers={TRAVAILLEURS}",
        "--log-level=warning",
        "--timeout=60",
    ]
    with journal.open("wb") as sortie:
        # Nouvelle session de processus : on arrête le maître et ses travailleurs d'un seul signal.
        serveur = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
        )
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        if serveur.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté :\n{journal.read_text(errors='replace')[-3000:]}")
        try:
            if requete_unique(port, "/livez")[0] == 200:
                return serveur
        except OSError:
            pass
        time.sleep(0.2)
    arreter_serveur(serveur)
    raise RuntimeError("gunicorn ne répond pas sur /livez après 30 s")


def arreter_serveur(serveur: subprocess.Popen[bytes]) -> None:
    if serveur.poll() is not None:
        return
    os.killpg(serveur.pid, signal.SIGTERM)
    try:
        serveur.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(serveur.pid, signal.SIGKILL)
        serveur.wait()


# --------------------------------------------------------------------------------------------------
# Mesure
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    nom: str
    chemin: str
    authentifiee: bool
    objectif: str = ""  # "plancher×3", "300ms" ou "" (mesure seulement)
    attendu: str = ""  # texte qui doit figurer dans la première réponse (contrôle de contenu)


@dataclass
class Mesure:
    page: str
    chemin: str
    concurrence: int
    requetes: int
    erreurs: int
    duree_s: float
    p50_ms: float
    p95_ms: float
    req_s: float
    ratio_plancher: float | None = None
    statuts_erreur: dict[str, int] = field(default_factory=dict)
    # Temps CPU par requête réussie (ms) : travailleurs gunicorn, processus PostgreSQL, client.
    cpu_serveur_ms: float = 0.0
    cpu_base_ms: float = 0.0
    cpu_client_ms: float = 0.0
    # Part des cœurs occupée par d'autres processus pendant la mesure : au-delà de quelques %, bruit.
    cpu_autres_pct: float = 0.0


_TICKS = os.sysconf("SC_CLK_TCK")


class SondeCPU:
    """Temps CPU (lus dans /proc) des travailleurs gunicorn, des processus PostgreSQL de la base du banc,
    du client et de toute la machine. Les processus sont suivis un à un : un processus apparu pendant
    la mesure compte en entier ; un processus terminé pendant la mesure (connexion PostgreSQL fermée
    au bout de BALISE_DB_CONN_MAX_AGE) sort du compte, ce qui sous-estime un peu « base »."""

    def __init__(self, pid_maitre: int, base_pg: bool):
        self.pid_maitre = pid_maitre
        self.base_pg = base_pg

    def _processus(self) -> tuple[dict[int, float], dict[int, float]]:
        serveur: dict[int, float] = {}
        base: dict[int, float] = {}
        for nom_pid in os.listdir("/proc"):
            if not nom_pid.isdigit():
                continue
            pid = int(nom_pid)
            try:
                texte = Path(f"/proc/{pid}/stat").read_text()
                nom = texte[texte.index("(") + 1 : texte.rindex(")")]
                champs = texte[texte.rindex(")") + 2 :].split()
                # champs[1] : ppid ; champs[11], champs[12] : utime, stime (en tops d'horloge)
                cpu = (int(champs[11]) + int(champs[12])) / _TICKS
                if pid == self.pid_maitre or int(champs[1]) == self.pid_maitre:
                    serveur[pid] = cpu
                elif (
                    self.base_pg
                    and nom == "postgres"
                    and NOM_BASE_PG.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
                ):
                    base[pid] = cpu
            except (OSError, ValueError):
                continue  # processus terminé entre-temps
        return serveur, base

    def instantane(self) -> dict[str, Any]:
        serveur, base = self._processus()
        with open("/proc/stat", encoding="ascii") as f:
            valeurs = [int(v) for v in f.readline().split()[1:]]
        total = sum(valeurs[:8]) / _TICKS  # user nice system idle iowait irq softirq steal
        occupe = total - (valeurs[3] + valeurs[4]) / _TICKS
        client = sum(os.times()[:2])
        return {"serveur": serveur, "base": base, "client": client, "occupe": occupe, "total": total}

    @staticmethod
    def ecart(avant: dict[str, Any], apres: dict[str, Any]) -> dict[str, float]:
        def par_processus(cle: str) -> float:
            return sum(cpu - avant[cle].get(pid, 0.0) for pid, cpu in apres[cle].items())

        d = {k: apres[k] - avant[k] for k in ("client", "occupe", "total")}
        d["serveur"] = par_processus("serveur")
        d["base"] = par_processus("base")
        return d


def occupation_cpu(duree: float) -> float:
    """Part (%) des cœurs occupée pendant `duree` secondes, avant que le banc ne charge la machine."""

    def lire() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as f:
            valeurs = [int(v) for v in f.readline().split()[1:9]]
        return sum(valeurs), valeurs[3] + valeurs[4]

    total0, repos0 = lire()
    time.sleep(duree)
    total1, repos1 = lire()
    return 100 * (1 - (repos1 - repos0) / max(1, total1 - total0))


def _entetes(cookie: str | None) -> dict[str, str]:
    entetes = {"Host": HOTE, "User-Agent": "balise-bench", "Accept": "text/html,application/json"}
    if cookie:
        entetes["Cookie"] = cookie
    return entetes


def requete_unique(port: int, chemin: str, cookie: str | None = None) -> tuple[int, bytes]:
    connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
    try:
        connexion.request("GET", chemin, headers=_entetes(cookie))
        reponse = connexion.getresponse()
        return reponse.status, reponse.read()
    finally:
        connexion.close()


def mesurer(
    port: int,
    page: Page,
    cookie: str | None,
    concurrence: int,
    max_requetes: int,
    duree_max: float,
    sonde: SondeCPU | None = None,
) -> Mesure:
    """`concurrence` clients en boucle fermée, chacun sur sa connexion http.client (réutilisée tant que
    le serveur la garde ouverte), jusqu'à `max_requetes` au total ou `duree_max` secondes."""
    entetes = _entetes(cookie)
    verrou = threading.Lock()
    latences: list[float] = []
    statuts_erreur: dict[str, int] = {}
    emises = 0
    depart = threading.Barrier(concurrence + 1)
    fin = 0.0

    def client() -> None:
        nonlocal emises
        connexion = http.client.HTTPConnection(HOTE, port, timeout=30)
        locales: list[float] = []
        erreurs: list[str] = []
        depart.wait()
        while time.monotonic() < fin:
            with verrou:
                if emises >= max_requetes:
                    break
                emises += 1
            t0 = time.perf_counter()
            try:
                connexion.request("GET", page.chemin, headers=entetes)
                reponse = connexion.getresponse()
                reponse.read()
                statut = str(reponse.status)
            except (OSError, http.client.HTTPException) as exc:
                connexion.close()
                statut = type(exc).__name__
            duree = time.perf_counter() - t0
            if statut == "200":
                locales.append(duree)
            else:
                erreurs.append(statut)
        connexion.close()
        with verrou:
            latences.extend(locales)
            for e in erreurs:
                statuts_erreur[e] = statuts_erreur.get(e, 0) + 1

    fils = [threading.Thread(target=client, daemon=True) for _ in range(concurrence)]
    for f in fils:
        f.start()
    cpu0 = sonde.instantane() if sonde else None
    t0 = time.perf_counter()
    fin = time.monotonic() + duree_max
    depart.wait()
    for f in fils:
        f.join(timeout=duree_max + 60)
    ecoule = time.perf_counter() - t0
    cpu1 = sonde.instantane() if sonde else None
    latences.sort()
    p50 = statistics.median(latences) * 1000 if latences else float("nan")
    p95 = statistics.quantiles(latences, n=20)[18] * 1000 if len(latences) >= 2 else p50
    mesure = Mesure(
        page=page.nom,
        chemin=page.chemin,
        concurrence=concurrence,
        requetes=len(latences),
        erreurs=sum(statuts_erreur.values()),
        duree_s=round(ecoule, 2),
        p50_ms=round(p50, 2),
        p95_ms=round(p95, 2),
        req_s=round(len(latences) / ecoule, 1),
        statuts_erreur=statuts_erreur,
    )
    if cpu0 and cpu1 and latences:
        d = SondeCPU.ecart(cpu0, cpu1)
        n = len(latences)
        mesure.cpu_serveur_ms = round(d["serveur"] / n * 1000, 2)
        mesure.cpu_base_ms = round(d["base"] / n * 1000, 2)
        mesure.cpu_client_ms = round(d["client"] / n * 1000, 2)
        autres = max(0.0, d["occupe"] - d["serveur"] - d["base"] - d["client"])
        mesure.cpu_autres_pct = round(100 * autres / d["total"], 1) if d["total"] else 0.0
    return mesure


def page_attendue(port: int, page: Page, cookie: str | None) -> bytes:
    """La page répond 200 avec le contenu attendu (pas une redirection vers la connexion, pas une page
    vide), ou le banc s'arrête : une mesure d'erreurs ne dit rien."""
    statut, corps = requete_unique(port, page.chemin, cookie)
    if statut != 200:
        raise RuntimeError(f"{page.chemin} : statut {statut}")
    if page.attendu and page.attendu not in corps.decode():
        raise RuntimeError(f"{page.chemin} : « {page.attendu} » absent de la réponse")
    return corps


def verifier_contenu(port: int, pages: list[Page], cookies: dict[bool, str | None], jeu: Jeu) -> None:
    """Avant de mesurer : chaque page est celle attendue, et l'export JSON contient bien les 500 systèmes."""
    for page in pages:
        corps = page_attendue(port, page, cookies[page.authentifiee])
        if page.chemin.endswith("registre.json"):
            n = len(json.loads(corps)["systemes"])
            if n != SYSTEMES_GRANDE_ORGANISATION:
                raise RuntimeError(f"{page.chemin} : {n} systèmes au lieu de {SYSTEMES_GRANDE_ORGANISATION}")


@dataclass
class Analyse:
    page: str
    requetes_sql: float
    total_ms: float
    sql_ms: float
    gabarits_ms: float
    reste_ms: float
    sans_cache_ms: float


def analyser(pages: list[Page], session: str, repetitions: int) -> list[Analyse]:
    """Décomposition en processus (sans HTTP ni gunicorn) du temps de chaque page : exécution SQL
    (pilote compris), rendu des gabarits (hors SQL déclenché pendant le rendu) et reste (middlewares,
    vue, construction des requêtes par l'ORM, sérialisation)."""
    from django.core.cache import cache
    from django.db import connection
    from django.template.backends.django import Template as GabaritDjango
    from django.test import Client

    c = {"sql": 0.0, "sql_n": 0, "gabarits": 0.0, "sql_gabarits": 0.0, "profondeur": 0}

    def minuter_sql(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            duree = time.perf_counter() - t0
            c["sql"] += duree
            c["sql_n"] += 1
            if c["profondeur"]:
                c["sql_gabarits"] += duree

    rendu_original = GabaritDjango.render

    def rendu_minute(self, context=None, request=None):  # type: ignore[no-untyped-def]
        c["profondeur"] += 1  # les widgets de formulaire rendent des gabarits imbriqués
        t0 = time.perf_counter()
        try:
            return rendu_original(self, context, request)
        finally:
            c["profondeur"] -= 1
            if not c["profondeur"]:
                c["gabarits"] += time.perf_counter() - t0

    resultats = []
    GabaritDjango.render = rendu_minute  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(minuter_sql):
            for page in pages:
                client = Client(HTTP_HOST=HOTE)
                if page.authentifiee:
                    client.cookies["sessionid"] = session
                for _ in range(10):
                    client.get(page.chemin)
                c.update(sql=0.0, sql_n=0, gabarits=0.0, sql_gabarits=0.0)
                durees = []
                for _ in range(repetitions):
                    t0 = time.perf_counter()
                    reponse = client.get(page.chemin)
                    durees.append(time.perf_counter() - t0)
                    assert reponse.status_code == 200, (page.chemin, reponse.status_code)
                moyenne = sum(durees) / repetitions * 1000
                sql = c["sql"] / repetitions * 1000
                gabarits = (c["gabarits"] - c["sql_gabarits"]) / repetitions * 1000
                requetes_sql = c["sql_n"] / repetitions
                # Première lecture après une modification : cache des pages vidé avant chaque appel.
                froides = []
                for _ in range(max(repetitions // 4, 1)):
                    cache.clear()
                    t0 = time.perf_counter()
                    client.get(page.chemin)
                    froides.append(time.perf_counter() - t0)
                resultats.append(
                    Analyse(
                        page=page.nom,
                        requetes_sql=round(requetes_sql, 1),
                        total_ms=round(moyenne, 2),
                        sql_ms=round(sql, 2),
                        gabarits_ms=round(gabarits, 2),
                        reste_ms=round(moyenne - sql - gabarits, 2),
                        sans_cache_ms=round(sum(froides) / len(froides) * 1000, 2),
                    )
                )
    finally:
        GabaritDjango.render = rendu_original  # type: ignore[method-assign]
        connection.close()
    return resultats


# --------------------------------------------------------------------------------------------------
# Rapport
# --------------------------------------------------------------------------------------------------


def machine(base: str) -> dict[str, Any]:
    from django.db import connection

    description = commun.machine(base)
    connection.close()  # le banc ne garde pas de connexion ouverte pendant que gunicorn sert
    return description


def objectifs(pages: list[Page], mesures: list[Mesure]) -> list[dict[str, Any]]:
    resultats = []
    par_page = {p.nom: p for p in pages}
    for m in mesures:
        page = par_page[m.page]
        if page.objectif == "plancher×3":
            ok = m.ratio_plancher is not None and m.ratio_plancher <= 3
            cible = "p50 ≤ 3 × plancher"
        elif page.objectif == "300ms":
            ok = m.p50_ms < 300
            cible = "p50 < 300 ms"
        else:
            continue
        resultats.append({"page": m.page, "concurrence": m.concurrence, "objectif": cible, "atteint": ok})
    return resultats


def afficher(mesures: list[Mesure], cibles: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'page':<24} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p50/plancher':>12} "
        f"{'erreurs':>7} {'CPU serv. ms/req':>16} {'CPU autres %':>12}"
    )
    for m in mesures:
        ratio = f"{m.ratio_plancher:.1f}" if m.ratio_plancher is not None else "—"
        print(
            f"{m.page:<24} {m.concurrence:>7} {m.p50_ms:>8.1f} {m.p95_ms:>8.1f} {m.req_s:>7.0f} "
            f"{ratio:>12} {m.erreurs:>7} {m.cpu_serveur_ms + m.cpu_base_ms:>16.1f} {m.cpu_autres_pct:>12.0f}"
        )
    print()
    for c in cibles:
        print(
            f"{'OK' if c['atteint'] else 'KO'}  {c['page']:<24} {c['concurrence']:>2} client(s)  {c['objectif']}"
        )


def afficher_analyse(analyses: list[Analyse]) -> None:
    print("\nDécomposition en processus (moyennes par requête, sans HTTP) :")
    print(
        f"{'page':<24} {'SQL n':>6} {'total ms':>9} {'SQL ms':>7} {'gabarits ms':>12} {'reste ms':>9}"
        f" {'sans cache ms':>14}"
    )
    for a in analyses:
        print(
            f"{a.page:<24} {a.requetes_sql:>6.0f} {a.total_ms:>9.2f} {a.sql_ms:>7.2f} "
            f"{a.gabarits_ms:>12.2f} {a.reste_ms:>9.2f} {a.sans_cache_ms:>14.2f}"
        )


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrences", default="1,16", help="nombres de clients simultanés (défaut 1,16)")
    parser.add_argument("--requetes", type=int, default=3000, help="plafond de requêtes par mesure")
    parser.add_argument("--duree", type=float, default=8.0, help="plafond de durée par mesure (s)")
    parser.add_argument("--garder", action="store_true", help="ne pas supprimer la base (pour enquêter)")
    parser.add_argument("--sans-analyse", action="store_true", help="sauter la décomposition en processus")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/registre-<base>.json)"
    )
    args = parser.parse_args()
    concurrences = [int(c) for c in args.concurrences.split(",")]
    # Un arrêt par SIGTERM passe aussi par le nettoyage (finally) : serveur arrêté, base supprimée.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    debut = time.monotonic()

    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-"))
    serveur: subprocess.Popen[bytes] | None = None
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, HOTE)
        from django.core.management import call_command
        from django.db import connections

        call_command("collectstatic", interactive=False, verbosity=0)
        print("Remplissage…", flush=True)
        t0 = time.monotonic()
        jeu = remplir(random.Random(2026))
        duree_remplissage = time.monotonic() - t0
        print(f"  {jeu.nb_systemes} systèmes en {duree_remplissage:.0f} s", flush=True)
        # Statistiques à jour, comme une base en service : sans quoi l'autovacuum de PostgreSQL passe
        # pendant les mesures et les bruite.
        with connections["default"].cursor() as curseur:
            curseur.execute("VACUUM ANALYZE" if args.base == "postgresql" else "ANALYZE")
        description = machine(args.base)
        connections.close_all()
        occupation_avant = occupation_cpu(2.0)
        if occupation_avant > 10:
            print(f"ATTENTION : machine déjà occupée à {occupation_avant:.0f} % ; mesures bruitées.")

        port = port_libre()
        serveur = demarrer_serveur(dict(os.environ), port, dossier / "gunicorn.log")
        print(f"gunicorn sur {HOTE}:{port} ({TRAVAILLEURS} travailleurs)", flush=True)

        o, g = jeu.org, jeu.grande_org
        pages = [
            Page("plancher /livez", "/livez", False, attendu="ok"),
            Page(
                "liste filtrée",
                f"/o/{o}/registre/?stade=production&domaine={jeu.domaine_filtre}",
                True,
                "plancher×3",
                f"{jeu.resultats_filtre} systèmes",
            ),
            Page("fiche", f"/o/{o}/registre/{jeu.systeme_detail}/", True, "plancher×3", "Cycle de vie"),
            Page("portefeuille", f"/o/{o}/portefeuille/", True, attendu="Carte de positionnement"),
            Page("registre public", f"/public/{o}/", False, "plancher×3", "Données ouvertes"),
            Page("export JSON (500)", f"/public/{g}/registre.json", False, "300ms"),
            # Sans objectif : comment les pages qui listent tout se comportent avec 500 systèmes.
            Page("portefeuille (500)", f"/o/{g}/portefeuille/", True, attendu="Carte de positionnement"),
            Page("registre public (500)", f"/public/{g}/", False, attendu="Données ouvertes"),
        ]
        # Cookie de session pour les pages connectées ; jeton CSRF fixe, comme un navigateur qui revient.
        csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        cookies: dict[bool, str | None] = {
            True: f"sessionid={jeu.session}; csrftoken={csrf}",
            False: None,
        }
        sonde = SondeCPU(serveur.pid, args.base == "postgresql")
        verifier_contenu(port, pages, cookies, jeu)
        # Mise en température : gabarits compilés et connexions ouvertes dans les deux travailleurs.
        for page in pages:
            mesurer(port, page, cookies[page.authentifiee], 4, 40, 5)

        mesures: list[Mesure] = []
        for concurrence in concurrences:
            plancher = None
            for page in pages:
                m = mesurer(
                    port, page, cookies[page.authentifiee], concurrence, args.requetes, args.duree, sonde
                )
                if plancher is None:
                    plancher = m.p50_ms
                m.ratio_plancher = round(m.p50_ms / plancher, 2) if plancher else None
                mesures.append(m)
                print(f"  {m.page:<24} {concurrence:>2} client(s) : p50 {m.p50_ms:.1f} ms", flush=True)

        arreter_serveur(serveur)
        serveur = None
        # Serveur arrêté : la décomposition en processus ne partage pas les cœurs avec lui.
        analyses = [] if args.sans_analyse else analyser(pages, jeu.session, 100)
        cibles = objectifs(pages, mesures)
        afficher(mesures, cibles)
        if analyses:
            afficher_analyse(analyses)
        bruit = max(m.cpu_autres_pct for m in mesures)
        if bruit > 10:
            print(
                f"\nATTENTION : d'autres processus ont occupé jusqu'à {bruit:.0f} % des cœurs ; mesures bruitées."
            )
        erreurs = sum(m.erreurs for m in mesures)
        if erreurs:
            print(f"\nATTENTION : {erreurs} réponse(s) autre(s) que 200 pendant les mesures.")
        sortie = (args.sortie or RESULTATS / f"registre-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/registre.py",
                "machine": description,
                "serveur": f"gunicorn balise.wsgi:application, {TRAVAILLEURS} travailleurs sync, BALISE_DEBUG=0",
                "donnees": {
                    "organisations": NB_ORGANISATIONS + 1,
                    "systemes": jeu.nb_systemes,
                    "organisation_mesuree": jeu.org,
                    "organisation_500": jeu.grande_org,
                    "duree_remplissage_s": round(duree_remplissage, 1),
                },
                "parametres": {
                    "concurrences": concurrences,
                    "plafond_requetes": args.requetes,
                    "plafond_duree_s": args.duree,
                },
                "cpu_occupe_avant_pct": round(occupation_avant, 1),
                "cpu_autres_max_pct": bruit,
                "mesures": [asdict(m) for m in mesures],
                "objectifs": cibles,
                "decomposition_en_processus": [asdict(a) for a in analyses],
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"\nRésultats : {sortie} ({time.monotonic() - debut:.0f} s au total)")
        return 0
    finally:
        if serveur is not None:
            arreter_serveur(serveur)
        if args.garder:
            print(f"Base conservée : {os.environ.get('BALISE_DATABASE_URL')}")
        else:
            shutil.rmtree(dossier, ignore_errors=True)
            if args.base == "postgresql":
                commun.supprimer_base_pg(NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())

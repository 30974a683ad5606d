"""Ce que partagent les bancs de mesure : base jetable, description de la machine, écriture des résultats.

Importé par `bench/registre.py` et `bench/instruments.py` (lancés comme scripts : leur dossier est
dans le chemin de Python). Django n'est importé qu'à l'appel, une fois les réglages choisis.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parent.parent
# PostgreSQL local, par son socket Unix (authentification « trust »).
PG_SOCKET = "/var/run/postgresql"
PG_UTILISATEUR = "root"


def pg_executer(sql: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", host=PG_SOCKET, user=PG_UTILISATEUR, autocommit=True) as c:
        c.execute(sql)  # type: ignore[arg-type]


def preparer_base(base: str, dossier: Path, nom: str) -> str:
    """Crée une base vide (fichier SQLite `<nom>.sqlite3` ou base PostgreSQL `<nom>`) et renvoie son URL."""
    if base == "sqlite":
        return f"sqlite:///{dossier / (nom + '.sqlite3')}"
    supprimer_base_pg(nom)
    pg_executer(f"CREATE DATABASE {nom}")
    return f"postgres://{PG_UTILISATEUR}@/{nom}?host={PG_SOCKET}"


def supprimer_base_pg(nom: str) -> None:
    pg_executer(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")


def revision() -> str:
    """Commit mesuré, suffixé de « +modifs » si l'arbre de travail diffère du commit."""
    git = shutil.which("git")
    if git is None:
        return "inconnue"
    try:
        commit = subprocess.run(
            [git, "rev-parse", "--short", "HEAD"], cwd=RACINE, capture_output=True, text=True, check=True
        ).stdout.strip()
        modifie = subprocess.run(
            # Les résultats des bancs eux-mêmes ne comptent pas comme une modification du code mesuré.
            [git, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/resultats"],
            cwd=RACINE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "inconnue"
    return commit + ("+modifs" if modifie else "")


def machine(base: str) -> dict[str, Any]:
    """Processeur, système, versions de Python, Django et de la base, date et commit mesuré."""
    from django import get_version
    from django.db import connection

    modele = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for ligne in f:
            if ligne.startswith("model name"):
                modele = ligne.split(":", 1)[1].strip()
                break
    with connection.cursor() as c:
        c.execute("select sqlite_version()" if base == "sqlite" else "show server_version")
        version_base = c.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "processeur": modele,
        "systeme": platform.platform(),
        "python": platform.python_version(),
        "django": get_version(),
        "base": f"{base} {version_base}",
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "revision": revision(),
    }


def ecrire_json(chemin: Path, document: dict[str, Any]) -> None:
    """Écrit les résultats d'un coup (fichier provisoire puis renommage) : jamais de JSON tronqué."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    provisoire = chemin.with_suffix(".json.tmp")
    provisoire.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    provisoire.replace(chemin)


def nettoyer(base: str, dossier: Path, nom_pg: str) -> None:
    """Ferme les connexions de Django (s'il a été configuré), efface le dossier temporaire et, sur
    PostgreSQL, la base du banc."""
    import contextlib

    with contextlib.suppress(Exception):  # Django pas encore configuré : rien à fermer
        from django.db import connections

        connections.close_all()
    shutil.rmtree(dossier, ignore_errors=True)
    if base == "postgresql":
        supprimer_base_pg(nom_pg)


def configurer_django(base: str, dossier: Path, nom_pg: str, hotes: str) -> None:
    """Base neuve et réglages de production (`BALISE_DEBUG=0`) posés dans l'environnement (les processus
    lancés ensuite, serveur ou sous-mesures, en héritent), puis Django configuré et la base migrée."""
    url = preparer_base(base, dossier, nom_pg)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "balise.settings",
            "BALISE_DATABASE_URL": url,
            "BALISE_DEBUG": "0",
            "BALISE_SECRET_KEY": "banc-de-mesure-" + secrets.token_hex(16),
            "BALISE_SSL_REDIRECT": "0",
            "BALISE_ALLOWED_HOSTS": hotes,
            "BALISE_LOG_LEVEL": "WARNING",
            # Jetons de génération et sessions propres à cette base jetable.
            "BALISE_CACHE_PARTAGE": str(dossier / "cache-partage"),
        }
    )
    sys.path.insert(0, str(RACINE))
    import django
    from django.core.management import call_command

    django.setup()
    print(f"Base {base} : migrations…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)


def publier_des_systemes(organisation: Any, par: Any, nombre: int) -> None:
    """Déclare et publie `nombre` systèmes semblables : le registre public que lisent les bancs."""
    from balise.registre import services

    fiche = {
        "finalite": "Répondre aux questions des usagers.",
        "service": "Relation usagers",
        "responsable": "Claire Petit",
        "domaine": "relation_usagers",
        "type_ia": "generative",
        "cible": "usagers",
        "positionnement": "innover",
        "realisation": "prestataire",
        "hebergement": "france",
        "contribution_decision": "Aide ; un agent décide.",
    }
    for i in range(nombre):
        systeme = services.creer_systeme(organisation, {**fiche, "nom": f"Système {i}"}, par)
        services.publier(systeme.pk, True, par, systeme.version)


def etalon() -> float:
    """Médiane (ms) de 5 exécutions d'une boucle Python fixe : la vitesse du processeur à cet instant.
    Sur une machine virtuelle, elle varie d'une minute à l'autre (voisins sur l'hôte, fréquence) sans
    que /proc/stat le montre ; la comparer au début et à la fin dit si les mesures sont comparables."""
    durees = []
    for _ in range(5):
        t0 = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        durees.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(durees), 1)


def executer_la_file() -> None:
    """La boucle du processus de fond (`db_worker`, que lance `manage.py travailleur`) en mode --batch,
    dans ce processus : chaque tâche en file est prise, exécutée, marquée finie, comme en production
    (sans l'attente entre deux scrutations de la file, qui ne dit rien du coût mesuré)."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="banc",
        excluded_queue_names=[],
    ).run()

"""Banc du portefeuille agrégé d'une mutualisante (/o/<epci>/mutualisation/portefeuille/).

Usage : .venv/bin/python bench/portefeuille_mutualise.py [--base sqlite|postgresql] [--tours 30]

Une intercommunalité et 150 communes membres sous convention signée (six systèmes chacune, des
participations aux formations), au milieu de 2 000 autres organisations et 20 000 autres systèmes.
Le banc chronomètre la page, sans cache (elle n'est pas gardée), avec 10 puis 150 membres, et compte
ses requêtes SQL (objectifs : p50 < 150 ms à 150 membres ; le même nombre de requêtes à 10 et à 150).
Il écrit bench/resultats/portefeuille-mutualise-<base>.json. Voir docs/performances.md.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_portefeuille"
HOTE = "testserver"
MEMBRES = 150
SYSTEMES_PAR_MEMBRE = 6
AUTRES_ORGANISATIONS = 2_000
AUTRES_SYSTEMES = 20_000
OBJECTIF_MS = 150.0

FICHE = {
    "finalite": "Banc",
    "service": "Service",
    "responsable": "Responsable",
    "domaine": "gestion_administrative",
    "type_ia": "discriminante",
    "cible": "agents",
    "positionnement": "innover",
    "realisation": "prestataire",
    "hebergement": "france",
}
STADES = ["idee", "experimentation", "production", "production", "arret", "idee"]


def remplir() -> tuple[Any, Any, list[Any]]:
    from balise.comptes.models import Utilisateur
    from balise.formations.models import Participation, Population, SessionFormation
    from balise.mutualisation.models import Convention
    from balise.organisations.models import Adhesion, Organisation
    from balise.registre.models import SystemeIA

    agglo = Organisation.objects.create(nom="Agglomération du Banc", slug="agglo", type="epci")
    admin = Utilisateur.objects.create_user("admin@banc.example", "mot-de-passe-du-banc-42")
    Adhesion.objects.create(utilisateur=admin, organisation=agglo, role="administrateur")
    communes = Organisation.objects.bulk_create(
        Organisation(nom=f"Commune {i}", slug=f"commune-{i}", type="commune", nombre_agents=40 + i)
        for i in range(MEMBRES + AUTRES_ORGANISATIONS)
    )
    membres, autres = communes[:MEMBRES], communes[MEMBRES:]
    SystemeIA.objects.bulk_create(
        (
            SystemeIA(organisation=m, nom=f"Système {i}", stade=STADES[i % len(STADES)], **FICHE)
            for m in membres
            for i in range(SYSTEMES_PAR_MEMBRE)
        ),
        batch_size=2000,
    )
    SystemeIA.objects.bulk_create(
        (
            SystemeIA(organisation=autres[i % len(autres)], nom=f"Autre {i}", **FICHE)
            for i in range(AUTRES_SYSTEMES)
        ),
        batch_size=2000,
    )
    populations = Population.objects.bulk_create(
        Population(organisation=m, code="tous", titre="Tous les agents", palier="acculturation", cible=80)
        for m in membres
    )
    sessions = SessionFormation.objects.bulk_create(
        SessionFormation(
            organisation=m, date=date.today() - timedelta(days=30), palier="acculturation", cree_par=admin
        )
        for m in membres
    )
    Participation.objects.bulk_create(
        Participation(session=s, population=p, nombre=12) for s, p in zip(sessions, populations, strict=True)
    )
    Convention.objects.bulk_create(
        Convention(
            mutualisante=agglo,
            membre=m,
            objet="Banc",
            role="referent",
            debut=date(2026, 1, 1),
            etat=Convention.Etat.EN_VIGUEUR,
        )
        for m in membres
    )
    return agglo, admin, membres


def chronometrer(client: Any, adresse: str, tours: int) -> tuple[int, list[float]]:
    from django.db import connection

    requetes: list[str] = []

    def compter(execute, sql, params, many, contexte):  # type: ignore[no-untyped-def]
        requetes.append(sql)
        return execute(sql, params, many, contexte)

    for _ in range(5):
        assert client.get(adresse).status_code == 200
    with connection.execute_wrapper(compter):
        client.get(adresse)
    durees = []
    for _ in range(tours):
        t0 = time.perf_counter()
        client.get(adresse)
        durees.append((time.perf_counter() - t0) * 1000)
    return len(requetes), sorted(durees)


def mesurer(agglo: Any, admin: Any, membres: list[Any], tours: int) -> list[dict[str, Any]]:
    from django.test import Client

    from balise.mutualisation.models import Convention

    client = Client(HTTP_HOST=HOTE)
    client.force_login(admin)
    adresse = f"/o/{agglo.slug}/mutualisation/portefeuille/"
    mesures = []
    for nombre in (10, MEMBRES):
        Convention.objects.update(etat=Convention.Etat.TERMINEE)
        Convention.objects.filter(membre__in=membres[:nombre]).update(etat=Convention.Etat.EN_VIGUEUR)
        from balise import generations

        generations.renouveler("organisation", agglo.pk)
        contenu = client.get(adresse).content.decode()
        assert contenu.count('<th scope="row"><a href=') == nombre, nombre
        requetes, durees = chronometrer(client, adresse, tours)
        mesures.append(
            {
                "membres": nombre,
                "requetes_sql": requetes,
                "p50_ms": round(statistics.median(durees), 1),
                "p95_ms": round(durees[int(0.95 * (len(durees) - 1))], 1),
            }
        )
    return mesures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--tours", type=int, default=30)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-portefeuille-"))
    try:
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, f"{HOTE},127.0.0.1")
        from django.db import connection

        print("Remplissage…", flush=True)
        agglo, admin, membres = remplir()
        with connection.cursor() as c:
            c.execute("ANALYZE")
        mesures = mesurer(agglo, admin, membres, args.tours)
        print(
            f"\nPortefeuille agrégé ({args.base}) : {AUTRES_SYSTEMES} autres systèmes, {AUTRES_ORGANISATIONS} autres organisations"
        )
        print(f"{'membres':>8} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8}")
        for m in mesures:
            print(f"{m['membres']:>8} {m['requetes_sql']:>4} {m['p50_ms']:>8} {m['p95_ms']:>8}")
        atteint = (
            mesures[-1]["p50_ms"] < OBJECTIF_MS and mesures[0]["requetes_sql"] == mesures[-1]["requetes_sql"]
        )
        print(
            f"Objectifs (p50 < {OBJECTIF_MS:.0f} ms à {MEMBRES} membres, requêtes constantes) : {'atteints' if atteint else 'MANQUÉS'}"
        )
        commun.ecrire_json(
            RESULTATS / f"portefeuille-mutualise-{args.base}.json",
            {"machine": commun.machine(args.base), "mesures": mesures, "objectifs_atteints": atteint},
        )
        return 0 if atteint else 1
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())

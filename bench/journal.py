"""Banc de mesure du journal de l'organisation (/o/<org>/journal/) sur une organisation très active.

Usage : .venv/bin/python bench/journal.py [--base sqlite|postgresql] [--tours 30]

Le banc crée une base neuve (réglages de production : BALISE_DEBUG=0) et une organisation dont le
journal compte, sur trois ans, 10 000 événements notés (archivages, restaurations, invitations
annulées, imports effacés) par 100 auteurs, 2 000 versions d'adhésions et 500 versions de ses
informations. Il chronomètre dans le processus, avec le client de test de Django, la première page,
une page du milieu, la dernière, et la première page filtrée sur une catégorie ; il compte les requêtes
SQL de chacune (objectifs : au plus 5 à toute page, p50 < 200 ms pour la première). Il affiche un tableau,
écrit bench/resultats/journal-<base>.json et supprime la base. Voir docs/performances.md.
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_journal"
HOTE = "testserver"
NB_EVENEMENTS = 10_000
NB_ADHESIONS = 2_000
NB_VERSIONS_ORGANISATION = 500
NB_AUTEURS = 100
OBJECTIF_MS = 200.0
# Les clés de la page et leur nombre, puis les lignes de chacune des trois sources présentes.
MAX_REQUETES = 5
MISE_EN_TEMPERATURE = 5


def remplir(alea: random.Random) -> tuple[Any, Any]:
    """L'organisation et son administrateur ; les lignes sont écrites par lots (`bulk_create`)."""
    from django.utils import timezone

    from balise.comptes.models import Utilisateur
    from balise.organisations.journal import CATEGORIES
    from balise.organisations.models import Adhesion, EvenementJournal, Organisation

    maintenant = timezone.now()

    def date() -> Any:
        return maintenant - timedelta(seconds=alea.randrange(3 * 365 * 24 * 3600))

    organisation = Organisation.objects.create(nom="Agglomération du Banc", slug="banc", type="epci")
    admin = Utilisateur.objects.create_user("admin@banc.example", "mot-de-passe-du-banc-42")
    Adhesion.objects.create(utilisateur=admin, organisation=organisation, role="administrateur")
    auteurs = Utilisateur.objects.bulk_create(
        Utilisateur(email=f"auteur{i}@banc.example", first_name="Auteur", last_name=str(i))
        for i in range(NB_AUTEURS)
    )
    natures = list(CATEGORIES)
    EvenementJournal.objects.bulk_create(
        (
            EvenementJournal(
                organisation=organisation,
                le=date(),
                par=alea.choice(auteurs),
                nature=alea.choice(natures),
                objet=f"Objet {i}",
                details={"fiche": f"Fiche {i % 300}", "deposee_le": date().isoformat()},
            )
            for i in range(NB_EVENEMENTS)
        ),
        batch_size=1000,
    )
    Adhesion.history.model.objects.bulk_create(
        (
            Adhesion.history.model(
                id=10_000 + i,
                utilisateur=alea.choice(auteurs),
                organisation=organisation,
                role=alea.choice(["lecteur", "referent", "dpo"]),
                creee_le=maintenant,
                history_date=date(),
                history_type=alea.choice("+~-"),
                history_user=alea.choice(auteurs),
            )
            for i in range(NB_ADHESIONS)
        ),
        batch_size=1000,
    )
    Organisation.history.model.objects.bulk_create(
        (
            Organisation.history.model(
                id=organisation.pk,
                nom=organisation.nom,
                slug=organisation.slug,
                type=organisation.type,
                population=50_000 + i,
                seuil_secret=5,
                creee_le=organisation.creee_le,
                version=i + 2,
                history_date=date(),
                history_type="~",
                history_user=alea.choice(auteurs),
            )
            for i in range(NB_VERSIONS_ORGANISATION)
        ),
        batch_size=500,
    )
    return organisation, admin


def mesurer(organisation: Any, admin: Any, tours: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=HOTE)
    client.force_login(admin)  # sans authenticate() : django-axes n'intervient pas
    base = f"/o/{organisation.slug}/journal/"
    total = NB_EVENEMENTS + NB_ADHESIONS + NB_VERSIONS_ORGANISATION + 2
    derniere = -(-total // 50)
    cas = {
        "première page": base,
        "page 20 (entrées 951 à 1 000)": f"{base}?page=20",
        f"dernière page ({derniere})": f"{base}?page={derniere}",
        "filtrée (registre), première page": f"{base}?categorie=registre",
    }
    mesures = []
    for libelle, adresse in cas.items():
        reponse = client.get(adresse)
        assert reponse.status_code == 200 and "<tbody><tr>" in reponse.content.decode(), adresse
        if "categorie" not in adresse:
            assert f"{total} événements" in reponse.content.decode(), adresse
        sql: list[float] = []

        def minuter(execute, requete, params, many, contexte, sql=sql):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return execute(requete, params, many, contexte)
            finally:
                sql.append(time.perf_counter() - t0)

        durees, durees_sql = [], []
        for _ in range(MISE_EN_TEMPERATURE):
            client.get(adresse)
        with connection.execute_wrapper(minuter):
            client.get(adresse)
            requetes = len(sql)  # la personne et l'adhésion sont lues en cache, comme en service
            for _ in range(tours):
                sql.clear()
                t0 = time.perf_counter()
                client.get(adresse)
                durees.append((time.perf_counter() - t0) * 1000)
                durees_sql.append(sum(sql) * 1000)
        durees.sort()
        mesures.append(
            {
                "page": libelle,
                "requetes_sql": requetes,
                "p50_ms": round(statistics.median(durees), 1),
                "p95_ms": round(durees[int(0.95 * (len(durees) - 1))], 1),
                "sql_p50_ms": round(statistics.median(durees_sql), 1),
            }
        )
    return mesures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--tours", type=int, default=30, help="appels chronométrés par page (défaut 30)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/journal-<base>.json)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-journal-"))
    try:
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, f"{HOTE},127.0.0.1")
        from django.db import connection

        print("Remplissage…", flush=True)
        organisation, admin = remplir(random.Random(2026))
        with connection.cursor() as c:
            c.execute("ANALYZE")
        description = commun.machine(args.base)
        etalon = commun.etalon()
        mesures = mesurer(organisation, admin, args.tours)
        print(
            f"\nJournal d'une organisation ({args.base}) : {NB_EVENEMENTS} événements, {NB_ADHESIONS} "
            f"versions d'adhésions, {NB_VERSIONS_ORGANISATION} versions de l'organisation ; {NB_AUTEURS} auteurs"
        )
        print(f"{'page':40} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8} {'dont SQL':>9}")
        for m in mesures:
            print(
                f"{m['page']:40} {m['requetes_sql']:>4} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} "
                f"{m['sql_p50_ms']:>9.1f}"
            )
        bornees = max(m["requetes_sql"] for m in mesures) <= MAX_REQUETES
        print(
            f"\nAu plus {MAX_REQUETES} requêtes par page, quel que soit son rang : {'OK' if bornees else 'KO'}"
        )
        print(
            f"Première page p50 < {OBJECTIF_MS:.0f} ms : {'OK' if mesures[0]['p50_ms'] < OBJECTIF_MS else 'KO'}"
        )
        print(f"Étalon CPU (boucle Python fixe) : {etalon:.0f} ms")
        commun.ecrire_json(
            (args.sortie or RESULTATS / f"journal-{args.base}.json").resolve(),
            {
                "banc": "bench/journal.py",
                "machine": description,
                "execution": "dans le processus : client de test de Django (sans HTTP), BALISE_DEBUG=0",
                "donnees": {
                    "evenements": NB_EVENEMENTS,
                    "versions_adhesions": NB_ADHESIONS,
                    "versions_organisation": NB_VERSIONS_ORGANISATION,
                    "auteurs": NB_AUTEURS,
                },
                "parametres": {"tours": args.tours},
                "etalon_ms": etalon,
                "mesures": mesures,
            },
        )
    finally:
        commun.nettoyer(args.base, dossier, NOM_BASE_PG)
    return 0


if __name__ == "__main__":
    sys.exit(main())

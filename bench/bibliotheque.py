"""Banc de mesure de la recherche dans la bibliothèque des cas d'usage (issue 17, point 4).

Usage : .venv/bin/python bench/bibliotheque.py [--base postgresql|sqlite] [--cas 50000] [--tours 30]

Le banc crée une base neuve (réglages de production : BALISE_DEBUG=0), charge le catalogue livré, puis
écrit par lots (`bulk_create`) 50 000 cas partagés par 2 000 organisations : chacun reprend un cas du
catalogue (titre, finalité, enseignements, chiffres), avec une collectivité, un domaine, un type d'IA
et une réalisation tirés au hasard (graine fixe) ; le texte cherché est calculé par le service
(`services.texte_de_recherche`), la colonne plein texte de PostgreSQL par la base. Puis `ANALYZE`.
Il chronomètre dans le processus, avec le client de test de Django, la page de recherche d'un membre
(`/o/<org>/bibliotheque/`) pour quelques recherches (mots fréquents, rares, filtres, page lointaine),
et compte ses requêtes SQL (objectif : p50 < 100 ms sur PostgreSQL, requêtes en nombre constant).
Il affiche un tableau, écrit bench/resultats/bibliotheque-<base>.json et supprime la base.
Voir docs/performances.md, « Bibliothèque des cas d'usage ».
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
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_bibliotheque"
HOTE = "testserver"
NB_ORGANISATIONS = 2_000
OBJECTIF_MS = 100.0
MISE_EN_TEMPERATURE = 3
# Le compte, la page, les adoptions des cas de la page (la personne et l'adhésion sont lues en cache).
MAX_REQUETES = 3
LOT = 2_000
RECHERCHES = {
    "sans mot, première page": "",
    "« fuites canalisations »": "?q=fuites+canalisations",
    "« comptes rendus de réunion »": "?q=comptes+rendus+de+r%C3%A9union",
    "« assistant » (mot fréquent)": "?q=assistant",
    "« energie batiments » (sans accents)": "?q=energie+batiments",
    "nom d'une collectivité (rare)": "?q=Lormont+417",
    "domaine RH, IA discriminante": "?domaine=rh&type_ia=discriminante",
    "« rédaction » + EPCI + prestataire": "?q=r%C3%A9daction&type_collectivite=epci&realisation=prestataire",
    "sans mot, page 50 (la dernière des 1 000)": "?page=50",
    "mot absent": "?q=zzzintrouvable",
}
VILLES = ["Lormont", "Valence", "Brive", "Cholet", "Vannes", "Albi", "Arles", "Sète", "Niort", "Laval"]


def remplir(alea: random.Random, nombre: int) -> tuple[Any, Any]:
    """Une organisation de lecture et son lecteur ; les cas sont écrits par lots (`bulk_create`)."""
    from balise.bibliotheque import services
    from balise.bibliotheque.models import CasUsage
    from balise.comptes.models import Utilisateur
    from balise.organisations.models import Adhesion, Organisation, TypeOrganisation
    from balise.registre.referentiels import Domaine, Realisation, TypeIA

    instance = Utilisateur.objects.create_user(
        "instance@banc.example", "mot-de-passe-du-banc-42", is_superuser=True
    )
    services.charger_catalogue(instance)
    modeles = list(CasUsage.objects.filter(origine="catalogue"))
    types = list(TypeOrganisation.values)
    organisations = Organisation.objects.bulk_create(
        Organisation(nom=f"Collectivité {i}", slug=f"banc-{i}", type=alea.choice(types))
        for i in range(NB_ORGANISATIONS)
    )
    lecteur = Utilisateur.objects.create_user("lecteur@banc.example", "mot-de-passe-du-banc-42")
    Adhesion.objects.create(utilisateur=lecteur, organisation=organisations[0], role="lecteur")
    ecrits = 0
    while ecrits < nombre:
        lot = []
        for i in range(ecrits, min(nombre, ecrits + LOT)):
            modele, org = alea.choice(modeles), organisations[i % NB_ORGANISATIONS]
            cas = CasUsage(
                origine=CasUsage.Origine.PARTAGE,
                organisation=org,
                titre=f"{modele.titre} ({i})",
                collectivite=f"{alea.choice(VILLES)} {i % 1000}",
                type_collectivite=org.type,
                domaine=alea.choice(Domaine.values),
                type_ia=alea.choice(TypeIA.values),
                realisation=alea.choice(Realisation.values),
                cible=modele.cible,
                positionnement=modele.positionnement,
                stade=modele.stade,
                fournisseur=modele.fournisseur,
                finalite=modele.finalite,
                mesures=modele.mesures,
                decision=modele.decision,
                lecons=modele.lecons,
            )
            cas.recherche = services.texte_de_recherche(cas)
            lot.append(cas)
        CasUsage.objects.bulk_create(lot)
        ecrits += len(lot)
    return organisations[0], lecteur


def mesurer(organisation: Any, lecteur: Any, tours: int) -> list[dict[str, Any]]:
    """Chaque recherche rejouée `tours` fois après MISE_EN_TEMPERATURE appels ; les requêtes SQL de
    chaque appel sont relevées avec leur durée (CaptureQueriesContext : au millième de seconde)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOTE)
    client.force_login(lecteur)
    mesures = []
    for libelle, parametres in RECHERCHES.items():
        adresse = f"/o/{organisation.slug}/bibliotheque/{parametres}"
        for _ in range(MISE_EN_TEMPERATURE):
            assert client.get(adresse).status_code == 200, adresse
        appels = []
        for _ in range(tours):
            with CaptureQueriesContext(connection) as capture:
                t0 = time.perf_counter()
                client.get(adresse)
                duree = (time.perf_counter() - t0) * 1000
            sql = sum(float(q["time"]) for q in capture.captured_queries) * 1000
            appels.append((duree, sql, len(capture.captured_queries)))
        durees = sorted(a[0] for a in appels)
        mesures.append(
            {
                "recherche": libelle,
                "adresse": parametres or "(aucun paramètre)",
                "requetes_sql": max(a[2] for a in appels),
                "p50_ms": round(statistics.median(durees), 1),
                "p95_ms": round(durees[int(0.95 * (len(durees) - 1))], 1),
                "sql_p50_ms": round(statistics.median(a[1] for a in appels), 1),
            }
        )
    return mesures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--cas", type=int, default=50_000, help="cas partagés écrits (défaut 50 000)")
    parser.add_argument("--tours", type=int, default=30, help="appels chronométrés par recherche (défaut 30)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/bibliotheque-<base>.json)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-bibliotheque-"))
    try:
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, f"{HOTE},127.0.0.1")
        import logging

        from django.db import connection

        logging.getLogger("balise.journal.requetes").setLevel(logging.WARNING)  # une ligne par requête sinon
        print(f"Remplissage : {args.cas} cas partagés…", flush=True)
        t0 = time.perf_counter()
        organisation, lecteur = remplir(random.Random(2026), args.cas)
        remplissage_s = round(time.perf_counter() - t0, 1)
        with connection.cursor() as c:  # comme une base en service, que l'autovacuum a parcourue
            c.execute("VACUUM ANALYZE" if args.base == "postgresql" else "ANALYZE")
        description = commun.machine(args.base)
        etalon = commun.etalon()
        mesures = mesurer(organisation, lecteur, args.tours)
        print(
            f"\nBibliothèque ({args.base}) : {args.cas} cas partagés + le catalogue ; remplissage {remplissage_s} s"
        )
        print(f"{'recherche':42} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8} {'dont SQL':>9}")
        for m in mesures:
            print(
                f"{m['recherche']:42} {m['requetes_sql']:>4} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} "
                f"{m['sql_p50_ms']:>9.1f}"
            )
        constantes = max(m["requetes_sql"] for m in mesures) <= MAX_REQUETES
        pire = max(m["p50_ms"] for m in mesures)
        print(f"\nAu plus {MAX_REQUETES} requêtes par recherche : {'OK' if constantes else 'KO'}")
        print(
            f"p50 < {OBJECTIF_MS:.0f} ms pour chaque recherche : {'OK' if pire < OBJECTIF_MS else 'KO'} (pire {pire} ms)"
        )
        print(f"Étalon CPU (boucle Python fixe) : {etalon:.0f} ms")
        commun.ecrire_json(
            (args.sortie or RESULTATS / f"bibliotheque-{args.base}.json").resolve(),
            {
                "banc": "bench/bibliotheque.py",
                "machine": description,
                "execution": "dans le processus : client de test de Django (sans HTTP), BALISE_DEBUG=0",
                "donnees": {
                    "cas_partages": args.cas,
                    "organisations": NB_ORGANISATIONS,
                    "remplissage_s": remplissage_s,
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

"""Banc de la sauvegarde et de la restauration de Balise (`manage.py sauvegarder`, `manage.py restaurer`).

Usage : .venv/bin/python bench/sauvegarde.py [--base sqlite|postgresql]

Le banc crée la base du banc du registre (2 000 organisations × 10 systèmes d'IA, plus une de 500 ;
`bench/registre.py`), lui ajoute l'historique de création de chaque fiche et des documents déposés,
puis chronomètre, plusieurs fois, `manage.py sauvegarder` et `manage.py restaurer` lancés comme un
exploitant les lance (processus neufs, réglages de production). Objectif : chacun en moins de 60 s.
Il affiche les durées, écrit bench/resultats/sauvegarde-<base>.json, puis supprime la base. Voir
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import commun
import registre

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_bench_sauvegarde"
OBJECTIF_S = 60.0
# Un PDF minimal ; le reste du document est fait d'octets aléatoires (incompressibles, comme un PDF).
ENTETE_PDF = b"%PDF-1.4\n"


def occupation() -> tuple[int, int]:
    """(total, repos) des cœurs en tops d'horloge, d'après /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        valeurs = [int(v) for v in f.readline().split()[1:9]]
    return sum(valeurs), valeurs[3] + valeurs[4]


def part_occupee(avant: tuple[int, int], apres: tuple[int, int]) -> float:
    total, repos = apres[0] - avant[0], apres[1] - avant[1]
    return round(100 * (1 - repos / max(1, total)), 1)


def ajouter_historique_et_documents(
    alea: random.Random, nombre: int, octets_min: int, octets_max: int
) -> int:
    """Une version historisée (création) par fiche, comme en service, et `nombre` documents déposés sur des
    fiches tirées au sort (fichiers écrits dans MEDIA_ROOT). Renvoie le total des octets des documents."""
    from django.conf import settings
    from django.db import transaction

    from balise.comptes.models import Utilisateur
    from balise.registre.models import Document, SystemeIA

    personne = Utilisateur.objects.get()
    systemes = list(SystemeIA.objects.only("pk", "organisation_id").order_by("pk"))
    with transaction.atomic():
        SystemeIA.history.bulk_history_create(
            list(SystemeIA.objects.order_by("pk")), batch_size=500, default_user=personne
        )
        documents = []
        total = 0
        media = Path(settings.MEDIA_ROOT)
        for systeme in alea.sample(systemes, min(nombre, len(systemes))):
            chemin = f"org-{systeme.organisation_id}/{uuid.UUID(int=alea.getrandbits(128)).hex}.pdf"
            taille = alea.randrange(octets_min, octets_max)
            (media / chemin).parent.mkdir(parents=True, exist_ok=True)
            (media / chemin).write_bytes(ENTETE_PDF + alea.randbytes(taille - len(ENTETE_PDF)))
            total += taille
            documents.append(
                Document(
                    systeme=systeme,
                    titre="Analyse d'impact",
                    fichier=chemin,
                    nom_original="analyse.pdf",
                    type_mime="application/pdf",
                    taille=taille,
                    depose_par=personne,
                )
            )
        Document.objects.bulk_create(documents, batch_size=500)
    return total


def taille_base(base: str) -> int:
    from django.db import connection

    with connection.cursor() as curseur:
        if base == "sqlite":
            curseur.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        else:
            curseur.execute("SELECT pg_database_size(current_database())")
        return int(curseur.fetchone()[0])


def taille_dossier(dossier: Path) -> int:
    return sum(f.stat().st_size for f in dossier.rglob("*") if f.is_file())


def lancer(*arguments: str) -> dict[str, Any]:
    """Lance `manage.py …` comme un exploitant ; durée de bout en bout (démarrage de Python et de Django
    compris) et part des cœurs occupée pendant ce temps (le banc et la commande compris)."""
    avant = occupation()
    t0 = time.perf_counter()
    resultat = subprocess.run(
        [sys.executable, str(RACINE / "manage.py"), *arguments, "-v", "2"],
        capture_output=True,
        text=True,
        cwd=RACINE,
    )
    duree = time.perf_counter() - t0
    if resultat.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} a échoué :\n{resultat.stdout}{resultat.stderr}")
    etapes = {}
    for ligne in resultat.stdout.splitlines():
        if ligne.startswith("Étapes (s) : "):
            etapes = {nom: float(duree) for nom, duree in (e.rsplit(" ", 1) for e in ligne[13:].split(", "))}
    return {
        "duree_s": round(duree, 2),
        "etapes_s": etapes,
        "cpu_occupe_pct": part_occupee(avant, occupation()),
        "sortie": resultat.stdout.strip(),
    }


def resume(durees: list[float]) -> dict[str, float]:
    return {"mediane_s": round(statistics.median(durees), 2), "max_s": round(max(durees), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--tours", type=int, default=3, help="sauvegardes et restaurations mesurées (défaut 3)"
    )
    parser.add_argument("--documents", type=int, default=1000, help="documents déposés (défaut 1 000)")
    parser.add_argument("--garder", action="store_true", help="ne pas supprimer la base (pour enquêter)")
    parser.add_argument(
        "--sortie", type=Path, help="fichier JSON (défaut : bench/resultats/sauvegarde-<base>.json)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    debut = time.monotonic()

    dossier = Path(tempfile.mkdtemp(prefix="balise-bench-sauvegarde-"))
    os.environ["BALISE_MEDIA_ROOT"] = str(dossier / "documents")
    try:
        commun.configurer_django(args.base, dossier, NOM_BASE_PG, "127.0.0.1")
        from django.db import connections

        from balise.registre.models import SystemeIA

        print("Remplissage…", flush=True)
        t0 = time.monotonic()
        alea = random.Random(2026)
        jeu = registre.remplir(alea)
        octets_documents = ajouter_historique_et_documents(alea, args.documents, 8_000, 128_000)
        with connections["default"].cursor() as curseur:
            curseur.execute("VACUUM ANALYZE" if args.base == "postgresql" else "ANALYZE")
        octets_base = taille_base(args.base)
        print(
            f"  {jeu.nb_systemes} systèmes, {args.documents} documents ({octets_documents / 1e6:.0f} Mo), "
            f"base de {octets_base / 1e6:.0f} Mo, en {time.monotonic() - t0:.0f} s",
            flush=True,
        )
        description = commun.machine(args.base)
        connections.close_all()
        charge = os.getloadavg()[0]
        if charge > (os.cpu_count() or 1) / 2:
            print(
                f"ATTENTION : charge moyenne {charge:.1f} avant les mesures ; machine occupée, mesures bruitées."
            )
        etalon_avant = commun.etalon()
        demarrage = [lancer("sauvegarder", "--help")["duree_s"] for _ in range(2)]

        sauvegardes, restaurations = [], []
        octets_sauvegarde = 0
        for tour in range(1, args.tours + 1):
            cible = dossier / "sauvegardes" / f"{tour}"
            sauvegardes.append(lancer("sauvegarder", str(cible)))
            octets_sauvegarde = taille_dossier(cible)
            # Un changement à défaire : 100 fiches supprimées (documents et historique avec elles).
            SystemeIA.objects.filter(
                pk__in=list(SystemeIA.objects.values_list("pk", flat=True)[:100])
            ).delete()
            connections.close_all()
            restaurations.append(lancer("restaurer", str(cible), "--noinput"))
            if SystemeIA.objects.count() != jeu.nb_systemes:
                raise RuntimeError("la restauration n'a pas rendu les fiches supprimées")
            connections.close_all()
            print(
                f"  tour {tour} : sauvegarde {sauvegardes[-1]['duree_s']:.1f} s {sauvegardes[-1]['etapes_s']}, "
                f"restauration {restaurations[-1]['duree_s']:.1f} s {restaurations[-1]['etapes_s']}",
                flush=True,
            )
            shutil.rmtree(cible)
        etalon_apres = commun.etalon()

        mesures = {
            "sauvegarder": resume([m["duree_s"] for m in sauvegardes]),
            "restaurer": resume([m["duree_s"] for m in restaurations]),
        }
        objectifs = {
            nom: "atteint" if valeurs["max_s"] < OBJECTIF_S else "manqué" for nom, valeurs in mesures.items()
        }
        print(f"\nSauvegarde et restauration, {args.base}, {args.tours} tours (durées de bout en bout) :")
        print(f"  démarrage d'une commande (--help) : {min(demarrage):.1f} s")
        for nom, valeurs in mesures.items():
            print(
                f"  {nom:<12} médiane {valeurs['mediane_s']:.1f} s, max {valeurs['max_s']:.1f} s "
                f"(objectif < {OBJECTIF_S:.0f} s : {objectifs[nom]})"
            )
        print(
            f"  base {octets_base / 1e6:.0f} Mo, sauvegarde {octets_sauvegarde / 1e6:.0f} Mo ; "
            f"étalon {etalon_avant} → {etalon_apres} ms ; charge moyenne {os.getloadavg()[0]:.1f}"
        )
        if abs(etalon_apres - etalon_avant) > 0.2 * etalon_avant:
            print("ATTENTION : la vitesse du processeur a varié de plus de 20 % pendant les mesures.")
        sortie = (args.sortie or RESULTATS / f"sauvegarde-{args.base}.json").resolve()
        commun.ecrire_json(
            sortie,
            {
                "banc": "bench/sauvegarde.py",
                "machine": description,
                "donnees": {
                    "organisations": registre.NB_ORGANISATIONS + 1,
                    "systemes": jeu.nb_systemes,
                    "documents": args.documents,
                    "octets_documents": octets_documents,
                    "octets_base": octets_base,
                    "octets_sauvegarde": octets_sauvegarde,
                },
                "demarrage_commande_s": min(demarrage),
                "etalon_ms": {"avant": etalon_avant, "apres": etalon_apres},
                "mesures": mesures,
                "objectif_s": OBJECTIF_S,
                "objectifs": objectifs,
                "tours": {"sauvegarder": sauvegardes, "restaurer": restaurations},
                "duree_totale_s": round(time.monotonic() - debut, 1),
            },
        )
        print(f"\nRésultats : {sortie} ({time.monotonic() - debut:.0f} s au total)")
        return 0
    finally:
        if args.garder:
            print(f"Base conservée : {os.environ.get('BALISE_DATABASE_URL')} ; documents : {dossier}")
        else:
            commun.nettoyer(args.base, dossier, NOM_BASE_PG)


if __name__ == "__main__":
    sys.exit(main())

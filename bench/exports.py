"""Banc des exports : le registre interne d'une organisation de 5 000 systèmes en XLSX (et, pour
information, en ODS et CSV).

Usage : .venv/bin/python bench/exports.py [--base sqlite|postgresql] [--tours 3]

Base neuve (réglages de production) ; une organisation de 5 000 systèmes (bulk_create, champs de
bench/registre.py) ; chaque format mesuré `--tours` fois dans un processus neuf (`exports.produire`) :
durée et pic de mémoire résidente (VmHWM). Objectif (docs/performances.md) : XLSX < 3 s. Résultats
dans bench/resultats/exports-<base>.json ; code de sortie 0 même si l'objectif est manqué.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import commun
from rapports import MARQUE, pic_mo, sous_mesure

RACINE = commun.RACINE
RESULTATS = RACINE / "bench" / "resultats"
NOM_BASE_PG = "balise_exports_bench"
SLUG = "banc-exports"
NB_SYSTEMES = 5_000
OBJECTIFS_S = {"xlsx": 3.0, "ods": None, "csv": None}


def peupler() -> None:
    import registre
    from django.db import transaction

    from balise.organisations.models import Organisation
    from balise.registre.models import SystemeIA

    alea = random.Random(2026)
    with transaction.atomic():
        org = Organisation.objects.create(nom="Métropole du banc des exports", slug=SLUG)
        SystemeIA.objects.bulk_create(
            [SystemeIA(organisation=org, **registre._fiche(alea, n)) for n in range(NB_SYSTEMES)],
            batch_size=1000,
        )


def mesurer(format_: str) -> dict[str, Any]:
    import django

    django.setup()
    from balise.organisations.models import Organisation
    from balise.rapports import exports

    org = Organisation.objects.get(slug=SLUG)
    t0 = time.perf_counter()
    contenu = exports.produire(org, "registre", format_)
    return {"duree_s": round(time.perf_counter() - t0, 3), "pic_mo": pic_mo(), "octets": len(contenu)}


def main() -> int:
    parseur = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parseur.add_argument("--base", choices=["sqlite", "postgresql"], default="sqlite")
    parseur.add_argument("--tours", type=int, default=3)
    parseur.add_argument("--sous-mesure", help=argparse.SUPPRESS)
    options = parseur.parse_args()
    if options.sous_mesure:
        sys.path.insert(0, str(RACINE))
        print(MARQUE + json.dumps(mesurer(options.sous_mesure)), flush=True)
        return 0
    dossier = Path(tempfile.mkdtemp(prefix="banc-exports-"))
    try:
        commun.configurer_django(options.base, dossier, NOM_BASE_PG, "127.0.0.1")
        peupler()
        resultats: dict[str, Any] = {}
        for format_, objectif in OBJECTIFS_S.items():
            tours = [sous_mesure(Path(__file__).resolve(), format_) for _ in range(options.tours)]
            mediane = statistics.median(t["duree_s"] for t in tours)
            resultats[format_] = {
                "tours": tours,
                "mediane_s": mediane,
                "pic_mo": max(t["pic_mo"] for t in tours),
                "objectif_s": objectif,
                "atteint": None if objectif is None else mediane < objectif,
            }
            etat = (
                ""
                if objectif is None
                else f" ; objectif < {objectif:.0f} s : {'atteint' if mediane < objectif else 'MANQUÉ'}"
            )
            print(
                f"{format_.upper():5} {NB_SYSTEMES} systèmes : médiane {mediane:.2f} s ; "
                f"pic {resultats[format_]['pic_mo']:.0f} Mo ; {tours[0]['octets'] // 1024} Ko{etat}",
                flush=True,
            )
        commun.ecrire_json(
            RESULTATS / f"exports-{options.base}.json",
            {"machine": commun.machine(options.base), "systemes": NB_SYSTEMES, "resultats": resultats},
        )
    finally:
        commun.nettoyer(options.base, dossier, NOM_BASE_PG)
    return 0


if __name__ == "__main__":
    sys.exit(main())

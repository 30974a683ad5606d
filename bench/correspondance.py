"""Banc de l'appariement des intitulés de poste (issue 15, point 7) : sur les tableaux d'effectifs des
tests, part des lignes rattachées sans intervention et nombre de rapprochements sûrs faux.

Usage : .venv/bin/python bench/correspondance.py [--sortie bench/resultats/correspondance.json]

Pour chaque tableau de `tests/donnees` dont les tests donnent l'attendu de chaque intitulé
(`tests/test_correspondance_metiers.py` : `ATTENDUS`, `ATTENDUS_COMMUNE`), chaque ligne est appariée
comme au traitement d'un import (`services.apparieur_de`, référentiel national sans ajout de
l'organisation, ni choix mémorisé, ni code CITP) :

- automatique : statut EXACT ou SUR (la ligne est rattachée sans revue) ;
- sûr faux : automatique, mais le métier retenu n'est pas l'attendu (objectif : 0) ;
- décisions : nombre de choix à faire à la revue (libellés distincts à revoir, variantes d'un même
  intitulé regroupées comme à la revue).

Aucune base : seul le code d'appariement est mesuré. Les chiffres, avant et après l'issue 15, sont dans
docs/performances.md (« Revue des libellés de métiers »).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any

import commun

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "resultats"
COLONNE = "Intitulé du poste"


def mesurer_tableau(chemin: Path, attendus: dict[str, tuple[str | None, Any]]) -> dict[str, Any]:
    from balise.metiers import services
    from balise.metiers.correspondance import Statut

    with chemin.open(encoding="utf-8", newline="") as f:
        lignes = [ligne[COLONNE] for ligne in csv.DictReader(f, delimiter=";")]
    apparieur = services.apparieur_de(services.ReferentielLocal(services.charger(), []))
    automatiques = faux = 0
    a_revoir: dict[str, str] = {}
    for libelle in lignes:
        resultat = apparieur.apparier(libelle)
        if resultat.statut in (Statut.EXACT, Statut.SUR):
            automatiques += 1
            if resultat.candidats[0].libelle != attendus[libelle][0]:
                faux += 1
                print(f"  SÛR FAUX : « {libelle} » -> « {resultat.candidats[0].libelle} »")
        else:
            a_revoir[services.normaliser(libelle)] = libelle
    decisions = len(set(services.regrouper_variantes(list(a_revoir)).values()))
    return {
        "tableau": chemin.name,
        "lignes": len(lignes),
        "automatiques": automatiques,
        "part_automatique_pct": round(100 * automatiques / len(lignes), 1),
        "surs_faux": faux,
        "libelles_a_revoir": len(a_revoir),
        "decisions_a_la_revue": decisions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sortie", type=Path, default=RESULTATS / "correspondance.json")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balise.settings")
    os.environ.setdefault("BALISE_DEBUG", "1")
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from tests import test_correspondance_metiers as essais

    mesures = [
        mesurer_tableau(essais.FICHIER, essais.ATTENDUS),
        mesurer_tableau(essais.COMMUNE, essais.ATTENDUS_COMMUNE),
    ]
    for m in mesures:
        print(
            f"  {m['tableau']:<32} {m['lignes']:>4} lignes : {m['automatiques']} automatiques"
            f" ({m['part_automatique_pct']} %), {m['surs_faux']} sûr(s) faux, {m['libelles_a_revoir']}"
            f" libellés à revoir, {m['decisions_a_la_revue']} décisions"
        )
    commun.ecrire_json(
        args.sortie.resolve(),
        {"banc": "bench/correspondance.py", "revision": commun.revision(), "mesures": mesures},
    )
    print(f"Résultats : {args.sortie}")
    return 1 if any(m["surs_faux"] for m in mesures) else 0


if __name__ == "__main__":
    sys.exit(main())

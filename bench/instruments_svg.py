"""Banc de mesure du dessin des graphiques SVG des instruments (balise/instruments/graphiques.py).

Usage : .venv/bin/python bench/instruments_svg.py [--tours 500]

Construit en mémoire une définition de radar (4 sections × 3 items, échelle 1–4) et 4 séries de
résultats tirées au hasard mais reproductibles (10 évaluateurs, `calculer`), puis chronomètre
`radar` (objectif : moins de 20 ms pour 12 axes × 4 séries), `girouet` et `barres`. Pur Python :
ni base de données, ni Django.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from balise.instruments import graphiques  # noqa: E402
from balise.instruments.calcul import Cotation, Resultat, calculer  # noqa: E402
from balise.instruments.definition import Definition, valider  # noqa: E402

OBJECTIF_RADAR_MS = 20.0
EVALUATEURS = 10
MOMENTS = [
    "En amont du projet — 14/01/2026",
    "Pendant la préparation — 02/02/2026",
    "Avant la mise en production — 12/03/2026",
    "Bilan — 04/11/2026",
]


def definition_radar() -> Definition:
    """Une définition de radar : 4 sections × 3 items, échelle 1–4, comme le radar de la décision."""
    sections = {
        "Une IA utile — l'utilité et l'impact attendu": [
            "Utilité interne (pour les agents)",
            "Utilité externe (au bénéfice direct des usagers)",
            "Opportunité politique",
        ],
        "Les conditions de la confiance": [
            "Contrôle des biais et des erreurs",
            "Transparence et souveraineté",
            "Protection de la vie privée",
        ],
        "Une IA frugale": [
            "Besoin réel d'une IA",
            "Données et calcul minimisés",
            "Localisation des serveurs et énergie",
        ],
        "Une IA capacitante — l'impact sur les métiers": [
            "Impact sur les métiers",
            "Accompagnement des agents",
            "Maîtrise de l'outil par les équipes",
        ],
    }
    return valider(
        {
            "id": "banc-radar",
            "version": 1,
            "titre": "Radar du banc de mesure",
            "resume": "Définition construite par le banc.",
            "source": {"document": "bench", "section": "bench", "auteurs": "Balise", "licence": "CC-BY 4.0"},
            "moments": ["amont", "preparation", "avant_production", "bilan"],
            "echelles": {
                "decision": {
                    "niveaux": [
                        {"valeur": 1, "libelle": "Défavorable"},
                        {"valeur": 2, "libelle": "Plutôt défavorable"},
                        {"valeur": 3, "libelle": "Plutôt favorable"},
                        {"valeur": 4, "libelle": "Favorable"},
                    ]
                }
            },
            "echelle": "decision",
            "visuel": "radar",
            "sections": [
                {
                    "id": f"section_{s}",
                    "titre": titre,
                    "items": [
                        {"id": f"item_{s}_{i}", "libelle": libelle} for i, libelle in enumerate(libelles)
                    ],
                }
                for s, (titre, libelles) in enumerate(sections.items())
            ],
        }
    )


def serie(definition: Definition, alea: random.Random) -> Resultat:
    """Les cotations de 10 évaluateurs : une note par item, parfois « sans objet »."""
    cotations = []
    for evaluateur in range(EVALUATEURS):
        for item in definition.items_notes:
            if alea.random() < 0.05:
                cotations.append(Cotation(evaluateur, item.id, sans_objet=True))
            else:
                cotations.append(Cotation(evaluateur, item.id, alea.randint(1, 4)))
    return calculer(definition, cotations)


def chronometrer(fonction: Callable[[], object], tours: int) -> list[float]:
    """Durées en ms de `tours` appels, après dix appels de mise en température."""
    for _ in range(10):
        fonction()
    durees = []
    for _ in range(tours):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    return durees


def centile(durees: list[float], p: float) -> float:
    return statistics.quantiles(durees, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tours", type=int, default=500, help="appels chronométrés par graphique (défaut 500)"
    )
    args = parser.parse_args()

    alea = random.Random(2026)
    definition = definition_radar()
    series = [(moment, serie(definition, alea)) for moment in MOMENTS]
    mesures = {
        "radar (12 axes × 4 séries)": lambda: graphiques.radar(series, "banc-radar"),
        "girouet (4 sections)": lambda: graphiques.girouet(series[-1][1], "banc-girouet"),
        "barres (4 sections × 4 séries)": lambda: graphiques.barres(series, "banc-barres"),
    }
    taille = len(str(graphiques.radar(series, "banc-radar")))
    print(f"Graphiques SVG des instruments — {args.tours} appels chacun (Python {sys.version.split()[0]})")
    print(
        f"Radar : {len(definition.items_notes)} axes, {len(series)} séries, {taille / 1000:.1f} ko de SVG\n"
    )
    print(f"{'graphique':<32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    resultats = {}
    for nom, fonction in mesures.items():
        durees = chronometrer(fonction, args.tours)
        resultats[nom] = durees
        print(f"{nom:<32} {centile(durees, 50):>8.2f} {centile(durees, 95):>8.2f} {max(durees):>8.2f}")
    p95_radar = centile(resultats["radar (12 axes × 4 séries)"], 95)
    atteint = "atteint" if p95_radar < OBJECTIF_RADAR_MS else "manqué"
    print(f"\nRadar, objectif < {OBJECTIF_RADAR_MS:.0f} ms (p95 {p95_radar:.2f} ms) : {atteint}")
    charge = os.getloadavg()[0]
    if charge > 0.5 * (os.cpu_count() or 1):
        print(f"ATTENTION : machine occupée (charge moyenne {charge:.1f}) ; p95 et max bruités.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

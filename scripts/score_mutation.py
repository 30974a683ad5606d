"""Score du test de mutation (`make mutation`) : lit les résultats de mutmut (mutants/**/*.meta).

Un mutant est attrapé quand un test échoue (« killed ») ou qu'il fait tourner les tests sans fin
(« timeout », arrêté par mutmut). Score = attrapés / mutants essayés, par module et en tout ; la
liste des survivants suit, à relire avec `mutmut show <nom>`. Avec `--minimum 0.9`, le script
échoue sous ce score.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ATTRAPES = {"killed", "timeout", "caught by type check"}
NON_ESSAYES = {"not checked", "skipped", "check was interrupted by user"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minimum", type=float, default=0.0, help="score minimal exigé (0 à 1)")
    minimum = parser.parse_args().minimum
    metas = sorted(Path("mutants").rglob("*.py.meta"))
    if not metas:
        print("Aucun résultat de mutmut : lancez d'abord `make mutation`.", file=sys.stderr)
        return 2
    total: Counter[str] = Counter()
    survivants: list[str] = []
    print(f"{'module':45} {'attrapés':>9} {'essayés':>8} {'score':>7}")
    for meta in metas:
        statuts = {
            nom: status_by_exit_code[code]
            for nom, code in json.loads(meta.read_text())["exit_code_by_key"].items()
        }
        comptes = Counter(statuts.values())
        essayes = sum(n for s, n in comptes.items() if s not in NON_ESSAYES)
        attrapes = sum(comptes[s] for s in ATTRAPES)
        total.update(comptes)
        survivants += sorted(n for n, s in statuts.items() if s not in ATTRAPES | NON_ESSAYES)
        module = str(meta.relative_to("mutants")).removesuffix(".meta")
        print(f"{module:45} {attrapes:9} {essayes:8} {attrapes / essayes if essayes else 1:7.1%}")
    essayes = sum(n for s, n in total.items() if s not in NON_ESSAYES)
    attrapes = sum(total[s] for s in ATTRAPES)
    score = attrapes / essayes if essayes else 1.0
    print(f"{'total':45} {attrapes:9} {essayes:8} {score:7.1%}")
    print("Détail : " + ", ".join(f"{s} {n}" for s, n in sorted(total.items())))
    if survivants:
        print(f"Survivants ({len(survivants)}) :")
        print("\n".join(f"  {n}" for n in survivants))
    if score < minimum:
        print(f"Score {score:.1%} sous le minimum exigé ({minimum:.1%}).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

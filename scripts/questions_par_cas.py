"""Réécrit, dans docs/conformite.md, le tableau du nombre de questions posées par cas d'école, entre les
deux dernières versions des règles (balise/conformite/longueur.py). Usage : .venv/bin/python scripts/questions_par_cas.py"""

import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE))

# Les règles et le moteur ne dépendent pas de Django : rien à configurer.
from balise.conformite import longueur, regles  # noqa: E402

numeros = sorted(regles.fichiers())
comparaison = longueur.comparer(regles.version(numeros[-2]), regles.version(numeros[-1]))
doc = RACINE / "docs" / "conformite.md"
doc.write_text(
    longueur.remplacer(doc.read_text(encoding="utf-8"), longueur.tableau(comparaison)), encoding="utf-8"
)
print(longueur.tableau(comparaison))

"""Réglages des tests : ceux de Balise en mode développement, demandé ici explicitement.

Balise est en réglages de production sauf `BALISE_DEBUG=1` (balise/settings.py). pytest-django lit
les réglages avant tout conftest : c'est ce module, nommé dans pyproject.toml, qui pose la variable
avant de les importer. Les réglages de production eux-mêmes sont vérifiés par des tests qui les
chargent dans un processus à part (tests/test_production.py).
"""

import os

os.environ["BALISE_DEBUG"] = "1"
# Tests silencieux : pas de ligne de journal par requête (les tests du journal l'activent par caplog).
os.environ.setdefault("BALISE_JOURNAL_REQUETES", "0")

from balise.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Les tests n'ont pas à attendre que chaque validation soit écrite sur le disque : une base de test
    # perdue dans une panne se recrée. La durabilité n'est pas ce que la suite vérifie.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405

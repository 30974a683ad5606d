# Balise — les deux commandes du README : `make demo` et `make test`.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://root@/balise?host=/var/run/postgresql
# Mutants essayés en même temps par `make mutation` (un par cœur libre).
MUTATION_ENFANTS ?= 2
# Base Redis réservée aux tests (vidée par eux) ; Redis est démarré par scripts/services-test.sh.
export BALISE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test test-sqlite test-postgres lint bench services-test mutation

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

## Installe, migre, charge la démonstration et sert Balise sur http://127.0.0.1:$(PORT), avec son
## processus de fond (travaux longs : lecture des tableaux des effectifs…) ; Ctrl-C arrête les deux.
# Balise est en réglages de production sauf demande : la démonstration demande le mode développement.
demo: export BALISE_DEBUG ?= 1
demo: $(VENV)/.base
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py charger_demo --port $(PORT)
	$(PY) manage.py travailleur & travailleur=$$!; \
	trap 'kill $$travailleur 2>/dev/null; wait $$travailleur' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

## Installe ce qu'il faut (Chromium, PostgreSQL, Redis) et lance toute la suite de tests, sur SQLite et PostgreSQL
## en même temps (un cœur chacune)
test: $(VENV)/.dev services-test lint
	bash scripts/tests-deux-bases.sh

services-test:
	bash scripts/services-test.sh

# Style, règles de sécurité (ruff, règles S) et types (mypy + django-stubs, réglages dans pyproject.toml).
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-sqlite:
	$(VENV)/bin/pytest --durations=20

# Les parcours dans le navigateur (tests/navigateur) éprouvent les pages, pas la base : ils passent une
# fois, sur SQLite ; tout le reste passe aussi sur PostgreSQL (docs/tests.md).
test-postgres:
	BALISE_DATABASE_URL='$(PG_URL)' $(VENV)/bin/pytest --ignore=tests/navigateur --durations=20

## Test de mutation des modules de règles purs (hors de `make test`, quelques minutes) : docs/tests.md
mutation: export BALISE_MUTATION = 1
mutation: $(VENV)/.dev
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children $(MUTATION_ENFANTS)
	$(PY) scripts/score_mutation.py

bench: $(VENV)/.dev
	$(PY) bench/registre.py

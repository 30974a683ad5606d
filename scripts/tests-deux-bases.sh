#!/usr/bin/env bash
# La suite sur SQLite et sur PostgreSQL en même temps, un processus par cœur (docs/tests.md).
# Les deux passages ne partagent rien : chacun sa base, sa base Redis et ses dossiers temporaires
# (tmp_path de pytest, propre à chaque processus). SQLite écrit dans le terminal ; PostgreSQL dans un
# journal, imprimé ensuite en entier. Le code de sortie est en échec si l'un des deux l'est.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
journal=var/tests-postgresql.log

BALISE_TEST_REDIS_URL=redis://127.0.0.1:6379/14 make --no-print-directory test-postgres >"$journal" 2>&1 &
postgresql=$!
trap 'kill $postgresql 2>/dev/null' INT TERM

echo "== SQLite (PostgreSQL en même temps, journal : $journal)"
make --no-print-directory test-sqlite
sqlite=$?
echo "== SQLite : $([ $sqlite -eq 0 ] && echo réussi || echo "échec ($sqlite)"), attente de PostgreSQL…"
wait $postgresql
postgres=$?

echo "== PostgreSQL"
cat "$journal"
echo "== SQLite : $([ $sqlite -eq 0 ] && echo réussi || echo échec) ; PostgreSQL : $([ $postgres -eq 0 ] && echo réussi || echo échec)"
[ $sqlite -eq 0 ] && [ $postgres -eq 0 ]

#!/usr/bin/env bash
# Installe ou démarre ce dont les tests ont besoin : Chromium (paquet Debian), PostgreSQL et Redis.
set -euo pipefail

apt_installe() {
  if [ -z "${APT_A_JOUR:-}" ]; then apt-get update -qq; APT_A_JOUR=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null || apt_installe chromium
# WeasyPrint sous-ensemble les polices avec HarfBuzz ; sans lui, fontTools date chaque PDF de l'heure du
# rendu et deux rendus de la même page diffèrent (les tests de fraîcheur du cache comparent les octets).
ldconfig -p | grep -q libharfbuzz-subset || apt_installe libharfbuzz-subset0

if ! command -v pg_ctlcluster >/dev/null; then apt_installe postgresql; fi
if ! pg_isready -q -h /var/run/postgresql; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h /var/run/postgresql && break; sleep 1; done
fi
# Les tests se connectent par le socket sous l'utilisateur courant : il lui faut un rôle autorisé à créer des bases.
if ! psql -h /var/run/postgresql -U "$(whoami)" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  su postgres -c "createuser --superuser $(whoami)" 2>/dev/null || true
fi
command -v redis-server >/dev/null || apt_installe redis-server
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# Le fournisseur OpenID Connect des tests de connexion (tests/oidc/, node-oidc-provider), installé une fois
# d'après son package-lock.json ; il faut Node.js (20 ou plus) et npm.
OIDC_TESTS="$(cd "$(dirname "$0")/.." && pwd)/tests/oidc"
if [ ! -d "$OIDC_TESTS/node_modules/oidc-provider" ]; then
  command -v npm >/dev/null || apt_installe nodejs npm
  npm ci --prefix "$OIDC_TESTS" --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "services de test prêts : $(chromium --version 2>/dev/null | head -1), $(pg_isready -h /var/run/postgresql), Redis $(redis-cli -h 127.0.0.1 ping)"

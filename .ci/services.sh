#!/usr/bin/env bash
# Services the storage tests and benchmarks need (called by .ci/run; safe to run again):
# PostgreSQL 15 server binaries (tests start throwaway clusters with initdb/pg_ctl on
# 127.0.0.1; nothing is left running) and the pinned Firestore emulator (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

need=""
[ -x /usr/lib/postgresql/15/bin/initdb ] || need="$need postgresql-15"
command -v node >/dev/null && command -v npm >/dev/null || need="$need nodejs npm"
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# The emulator, exactly as package-lock.json pins it (@firestore-emulator/server 0.3.15).
# Skipped when node_modules was installed from this lock file already (scripts/setup runs npm ci too).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

#!/usr/bin/env bash
# Start the PostgreSQL server the test suite needs, installing it on a fresh Debian machine, and create the
# test role and database; install Chromium for the browser tests and LibreOffice Calc for the spreadsheet test.
# Idempotent: safe to run before every `make test`.
set -euo pipefail

ROLE=activitylog
PASSWORD=activitylog
DB=activitylog_test

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright never downloads one.
if ! command -v chromium >/dev/null 2>&1; then
  echo "services: installing Chromium"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The spreadsheet test (tests/spreadsheet) opens a CSV export in Debian's LibreOffice Calc, headless.
if ! command -v soffice >/dev/null 2>&1; then
  echo "services: installing LibreOffice Calc"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null
fi

if [ -n "${ACTIVITYLOG_TEST_POSTGRES_URL:-}" ]; then
  echo "services: using ACTIVITYLOG_TEST_POSTGRES_URL as given"
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "services: installing PostgreSQL"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  sudo_if_needed pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  sudo_if_needed pg_ctlcluster "$version" main start
fi

as_postgres() { sudo_if_needed su postgres -c "$1"; }
for _ in $(seq 1 30); do
  as_postgres "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
as_postgres "psql -qAtc \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"" | grep -q 1 \
  || as_postgres "psql -qc \"CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$PASSWORD'\""
as_postgres "psql -qAtc \"SELECT 1 FROM pg_database WHERE datname = '$DB'\"" | grep -q 1 \
  || as_postgres "createdb -O $ROLE $DB"
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
echo "services: PostgreSQL $version on port $port, database $DB"

#!/usr/bin/env bash
# The whole test suite: lint, then the unit tests on SQLite, then every test that touches a database
# or broker (integration and browser included) on the real PostgreSQL + Redis with real workers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"

bash scripts/system-deps.sh
bash scripts/services.sh

PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kelurahan_monitor}
BROKER_URL=${TEST_BROKER_URL:-redis://127.0.0.1:6379/15}

echo "== ruff"
ruff check .
ruff format --check .

echo "== mypy (strict for the pure layers: */domain, cameras/sources, cameras/vision)"
mypy kelurahan_monitor places compliance cameras reports complaints incidents agents kelurahan_agent devtools

echo "== makemigrations --check"
python manage.py makemigrations --check --dry-run >/dev/null

echo "== unit tests on SQLite, embedded broker"
env -u DATABASE_URL -u CELERY_BROKER_URL KM_VAR_DIR="$PWD/var/test-sqlite" \
    python -m pytest -m "not integration and not browser" -q -p no:cacheprovider "$@"

# The pure tests (no database, no broker) already ran above and cannot differ here.
echo "== database, integration and browser tests on PostgreSQL + Redis with real workers"
DATABASE_URL="$PG_URL" CELERY_BROKER_URL="$BROKER_URL" KM_VAR_DIR="$PWD/var/test-pg" \
    python -m pytest -q -p no:cacheprovider --backend-tests-only "$@"

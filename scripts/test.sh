#!/usr/bin/env bash
# One command: set up and run every check and the whole test suite.
# Uses SQLite unless DATABASE_URL points elsewhere (CI also runs it on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --dev
bash scripts/ensure_chromium.sh
export DJANGO_SETTINGS_MODULE=pilkades.settings_test

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== django checks"
.venv/bin/python manage.py check --fail-level WARNING
.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/python manage.py spectacular --validate --fail-on-warn --file /dev/null
echo "== pytest on ${DATABASE_URL:-SQLite}"
status=0
# Two workers: the machine kind has two cores. PYTEST_WORKERS=0 runs in one process. Work stealing:
# the long tests (schema fuzzing per role, browser journeys) come last in pytest-django's order, and
# xdist's default hands them out in chunks, so one worker ran them while the other idled (SQLite:
# 9 min 7 s with the default, 6 min 38 s stealing, same machine, one after the other).
dist=()
if [ "${PYTEST_WORKERS:-2}" != 0 ]; then dist=(--dist worksteal); fi
.venv/bin/python -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" "${dist[@]}" "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass." >&2
  exit 1
fi
exit "$status"

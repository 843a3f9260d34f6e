#!/usr/bin/env bash
# One command: set up, migrate, load the Serang demo and serve on http://127.0.0.1:8000 (SQLite by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export DJANGO_DEBUG=${DJANGO_DEBUG:-1}
PORT=${PORT:-8000}

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_demo
.venv/bin/python manage.py load_demo_hari_h
echo
echo "Pilkades Ops berjalan di http://127.0.0.1:${PORT}/  (Ctrl+C untuk berhenti)"
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT}"

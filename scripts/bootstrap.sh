#!/usr/bin/env bash
# Creates .venv and installs the locked requirements. Re-installs only when requirements.lock changes,
# so the run and test commands stay fast after the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Pilkades Ops needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian splits venv/ensurepip into its own package.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf .venv && "$PYTHON" -m venv .venv
    else
      echo "Could not create a virtualenv: install python3-venv (Debian/Ubuntu) and retry." >&2
      exit 1
    fi
  fi
fi

want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat .venv/.lock-sha256 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages (first run takes about a minute)…"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip check >/dev/null
  echo "$want" > .venv/.lock-sha256
fi

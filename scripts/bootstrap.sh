#!/usr/bin/env bash
# Creates .venv and installs the locked requirements: the runtime packages (requirements.lock) by
# default, as a production server needs; with --dev (or PILKADES_DEV=1) the test and development
# tools as well (requirements-dev.lock), as scripts/test.sh asks. Re-installs only when a lock file
# changes, so the run and test commands stay fast after the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=${PILKADES_DEV:-0}
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    *) echo "usage: scripts/bootstrap.sh [--dev]" >&2; exit 2 ;;
  esac
done

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

# .venv/.lock-sha256 names what is installed: the runtime lock's hash, or the hash of both locks when
# the development tools are there too (which satisfies a runtime-only request as well).
runtime=$(cat requirements.lock | sha256sum | cut -d' ' -f1)
dev=$(cat requirements.lock requirements-dev.lock | sha256sum | cut -d' ' -f1)
have=$(cat .venv/.lock-sha256 2>/dev/null || true)
if [ "$DEV" = 1 ]; then
  want=$dev lock=requirements-dev.lock
else
  want=$runtime lock=requirements.lock
fi
if [ "$have" != "$want" ] && [ "$have" != "$dev" ]; then
  echo "Installing Python packages from ${lock} (first run takes about a minute)…"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip check >/dev/null
  echo "$want" > .venv/.lock-sha256
fi

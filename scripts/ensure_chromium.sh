#!/usr/bin/env bash
# The browser tests (tests/e2e) drive Debian's Chromium: Playwright cannot download its own browser
# builds here, so the system package is installed instead when it is missing.
set -euo pipefail
CHROMIUM=${PILKADES_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need Chromium at $CHROMIUM. Install it as root with" >&2
  echo "  apt-get update && apt-get install -y chromium" >&2
  echo "or point PILKADES_CHROMIUM at another Chromium binary." >&2
  exit 1
fi

#!/usr/bin/env bash
# The shared cache (REDIS_URL) for the tests that need one: a local Redis on 127.0.0.1:6379, started
# when none answers, and installed from Debian's packages (as root) when missing, like Chromium.
set -euo pipefail
PORT=${PILKADES_REDIS_PORT:-6379}
if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  exit 0
fi
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Redis for the shared-cache tests (apt-get install redis-server)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "The shared-cache tests need Redis on 127.0.0.1:${PORT}. Install it as root with" >&2
    echo "  apt-get update && apt-get install -y redis-server" >&2
    exit 1
  fi
fi
echo "Starting Redis on 127.0.0.1:${PORT}…"
mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
# No persistence: the tests' cache is thrown away between runs.
redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
  --dir "$(mktemp -d)" --logfile "${TMPDIR:-/tmp}/pilkades-redis.log"
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "Redis did not answer on 127.0.0.1:${PORT}; see ${TMPDIR:-/tmp}/pilkades-redis.log" >&2
exit 1

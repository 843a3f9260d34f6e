"""gunicorn settings for Pilkades Ops: `gunicorn -c deploy/gunicorn.conf.py pilkades.wsgi`.

Every value can be changed through the environment (the systemd unit's EnvironmentFile), so the
same file serves a small Polres server and a Polda one.
"""

import multiprocessing
import os

# nginx on the same machine talks to 127.0.0.1:8000; on another machine, bind the private address.
bind = os.environ.get("PILKADES_BIND", "127.0.0.1:8000")

# Sync workers: the app is CPU-bound (ranking, PDF, allocation) and short requests. Two per core is
# the usual start; each worker holds its own database connection (DATABASE_CONN_MAX_AGE).
workers = int(os.environ.get("PILKADES_WEB_WORKERS", multiprocessing.cpu_count() * 2))

# A request longer than this is killed and answered 502 by nginx: long work (national allocation,
# a Polda roster) belongs to the management commands. Keep nginx's proxy_read_timeout above it.
timeout = int(os.environ.get("PILKADES_WEB_TIMEOUT", 60))

# On SIGHUP or stop, a worker gets this long to finish the request it is serving (graceful restart:
# `systemctl reload pilkades-web` starts new workers on new code without dropping requests).
graceful_timeout = int(os.environ.get("PILKADES_WEB_GRACEFUL_TIMEOUT", 30))

# Recycle a worker that holds more memory than PILKADES_WEB_MAX_MEMORY_MB after a large export
# (post_request below), and any worker after many requests as a backstop; the jitter keeps them from
# restarting all at once. Counting requests alone, at 2,000, recycled each worker every ~10 s at
# election day's peak: a boot costs ~1.4 s of CPU (imports, first queries) and, with two workers,
# half the capacity while it lasts.
max_requests = int(os.environ.get("PILKADES_WEB_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10

# Seconds an idle keep-alive connection stays open. Only threaded workers (-k gthread) keep one:
# sync workers close every connection after its answer, so nginx's upstream pool opens a new one
# per request. Measured on election day's writes (bench_election_day_load.py, 2 workers): gthread
# with 4 threads served 11 % more writes but held a board 304 at 14 ms instead of 4 (threads
# queue on one process's interpreter lock), so the workers stay sync.
keepalive = 5

# Only nginx may tell gunicorn the request came over HTTPS (X-Forwarded-Proto). Django trusts the same
# header through SECURE_PROXY_SSL_HEADER; the address list is nginx's address as gunicorn sees it.
forwarded_allow_ips = os.environ.get("PILKADES_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Requests are logged by the app itself (one JSON line each, pilkades.logs); errors go to stderr,
# which systemd sends to the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PILKADES_WEB_LOG_LEVEL", "info")

# Load the app in each worker, not in the master: a reload then picks up new code.
preload_app = False


def _resident_mb() -> float | None:
    """This process's resident memory in MB (Linux's /proc; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


_max_memory_mb = int(os.environ.get("PILKADES_WEB_MAX_MEMORY_MB", 512))


def post_request(worker, req, environ, resp) -> None:
    limit = _max_memory_mb
    resident = _resident_mb()
    if resident is not None and resident > limit and worker.alive:
        worker.log.info(
            "Worker %s holds %d MB (limit %d MB): recycled after this request", worker.pid, resident, limit
        )
        worker.alive = False

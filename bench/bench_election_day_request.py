"""Election day's writes as requests, in process: the CPU one check-in or progress step costs.

The same request a phone sends (POST /api/v1/hari-h/checkins/ or /hari-h/progress/, JSON, an
officer's person token, an idempotency key) handed straight to the WSGI application with the
production settings and middleware, one thread, on the load bench's PostgreSQL world
(``bench_election_day_load.py`` builds it: run that once first). Without gunicorn, the network and
concurrency this is the app's own cost per write, the steadiest figure on a shared machine, and
the one to compare two commits with; the CPU of the PostgreSQL backend serving the requests is
printed beside it (read from /proc). ``--profile`` prints where it goes (cProfile; times inflated).

    python bench/bench_election_day_request.py [--requests 600] [--name h14] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import pstats
import secrets
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, database_url, machine_note, row

STAGES = ["tps_open", "voting", "counting", "announced", "escort", "at_kecamatan", "done"]
WARM_UP = 50


def _setup(name: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pilkades.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_API_THROTTLE_USER="1000000/min",
        DATABASE_URL=database_url("postgres", name),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the request log line is printed by gunicorn's bench, not here


def _post(application, path: str, token: str, body: dict) -> None:
    data = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
    }
    status = []
    answer = b"".join(application(environ, lambda s, headers, exc_info=None: status.append(s)))
    if not status[0].startswith("201"):
        raise RuntimeError(f"{path}: {status[0]} {answer[:300]!r}")


def _checkins(world: dict, application) -> list:
    from bench_election_day_load import reset_checkins

    reset_checkins(world["operation"])
    arrivals = [c for client in world["clients"] for c in client.arrivals]
    path = "/api/v1/hari-h/checkins/"
    return [
        functools.partial(_post, application, path, token, {"assignment": posting, "kind": "arrived"})
        for token, posting, _kind in arrivals
    ]


def _steps(world: dict, application, count: int) -> list:
    from election_day.models import VillageProgress

    leaders = [c for c in world["clients"] if c.village]
    now = dict(
        VillageProgress.objects.filter(operation_id=world["operation"]).values_list(
            "village_election_id", "stage"
        )
    )

    def step(client) -> None:
        previous = now.get(client.village)
        stage = STAGES[(STAGES.index(previous) + 1) % len(STAGES)] if previous in STAGES else STAGES[0]
        now[client.village] = stage
        body = {"operation": world["operation"], "village_election": client.village, "stage": stage}
        _post(application, "/api/v1/hari-h/progress/", client.leader_token, {**body, "reason": "ulang"})

    return [functools.partial(step, leaders[i % len(leaders)]) for i in range(count)]


def _backend_cpu() -> float:
    """CPU seconds so far of the PostgreSQL backend serving this process's connection."""
    from bench_load import CLOCK_TICKS
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _measure(label: str, calls: list, requests: int, profile: bool) -> None:
    if len(calls) < WARM_UP + requests:
        raise SystemExit(f"{label}: only {len(calls)} requests available; lower --requests")
    for call in calls[:WARM_UP]:
        call()
    profiler = cProfile.Profile() if profile else None
    backend = _backend_cpu()
    started = time.process_time()
    if profiler:
        profiler.enable()
    for call in calls[WARM_UP : WARM_UP + requests]:
        call()
    if profiler:
        profiler.disable()
    row(f"{label}: CPU per request", (time.process_time() - started) / requests * 1000, "ms")
    row(f"{label}: PostgreSQL CPU per request", (_backend_cpu() - backend) / requests * 1000, "ms")
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--name", default="h14", help="the load bench's database pilkades_<name>")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=20, help="as the load bench was run with")
    parser.add_argument("--per-client", type=int, default=100, help="as the load bench was run with")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    _setup(args.name)
    from bench_election_day_load import build_world

    from pilkades.wsgi import application

    world = build_world(args.clients, args.per_client)
    print(f"== Election day writes as requests, in process: PostgreSQL pilkades_{args.name}")
    machine_note()
    _measure("check-in", _checkins(world, application), args.requests, args.profile)
    _measure(
        "progress step", _steps(world, application, WARM_UP + args.requests), args.requests, args.profile
    )
    machine_note()


if __name__ == "__main__":
    main()

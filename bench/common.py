"""Shared set-up for the benchmark scripts: a database of their own, Django configured, figures printed.

Each script takes --db sqlite|postgres. SQLite lives in bench/out/<name>.sqlite3; PostgreSQL uses
the database `pilkades_<name>` on 127.0.0.1:5432 (user postgres, as on this machine kind). The
default world is named `bench`; smaller worlds (a kabupaten, a province) get names of their own so
that building one never clobbers another.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def database_url(db: str, name: str = "bench") -> str:
    return f"{PG_SERVER}/pilkades_{name}" if db == "postgres" else f"sqlite:///{OUT / f'{name}.sqlite3'}"


def setup_django(db: str, *, fresh: bool = False, name: str = "bench") -> None:
    """Point Django at the benchmark database, optionally recreated empty, and migrate it."""
    OUT.mkdir(parents=True, exist_ok=True)
    if fresh:
        if db == "postgres":
            for sql in (f"DROP DATABASE IF EXISTS pilkades_{name}", f"CREATE DATABASE pilkades_{name}"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        else:
            (OUT / f"{name}.sqlite3").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = database_url(db, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine_note() -> str:
    """The load on the machine while measuring: figures taken beside other work are inflated."""
    one, five, _ = os.getloadavg()
    note = f"   machine: {os.cpu_count()} cores, load average {one:.1f} (1 min) {five:.1f} (5 min)"
    print(note, flush=True)
    return note


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs after `warmup` runs, and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def row(label: str, value: float, unit: str, target: float | None = None, floor: float | None = None) -> str:
    """One line of a result table: measured value, its target and floor, the ratio to the floor."""
    parts = [f"{label:<52} {value:>10.1f} {unit:<6}"]
    if target is not None:
        verdict = "OK " if value <= target else "MISS"
        parts.append(f"target ≤ {target:g} {unit} [{verdict}]")
    if floor is not None:
        parts.append(f"floor {floor:g} {unit} (×{value / floor:.1f})")
    line = "  ".join(parts)
    print(line, flush=True)
    return line


def runserver(env: dict[str, str], port: int) -> subprocess.Popen:
    """``manage.py runserver --noreload`` on 127.0.0.1:``port`` with ``env``, once it answers."""
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("runserver did not answer /healthz within 30 s")


def gather_statistics() -> None:
    """Planner statistics after a bulk-written world (and PostgreSQL's visibility map for index-only
    scans). A server's autovacuum gathers them soon after; this machine kind's PostgreSQL runs
    without autovacuum, and SQLite never does by itself: without them PostgreSQL guesses one row
    per table and walks nested loops over thousands."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

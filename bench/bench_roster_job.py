"""A large roster import as a background job: wall time, peak memory, and what the progress page saw.

The roster (--rows officers, NRP 9xxxxxxx, spread over the demo's units) is uploaded as a job the
way the admin stores it (jobs.services.job_start), then a separate process runs the job's task as
the job worker does (jobs.services.job_run) while this one samples the progress the page would show
(jobs.services.job_status, the counts in Redis) once a second. Afterwards the officers it created
are deleted again. Target (issue 16): 1,000,000 rows in ≤ 3 minutes and ≤ 500 MB.

    python bench/bench_roster_job.py [--world h16] [--rows 1000000] [--profile]

PostgreSQL (pilkades_<world>, the demo loaded into it on first use) and Redis (--redis). With
--profile the job runs under cProfile and the 25 costliest calls are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from io import StringIO

from common import ROOT, database_url, machine_note, setup_django

CHILD = r"""
import cProfile, json, pstats, sys, time
import django
django.setup()
from jobs.services import job_run
profile = cProfile.Profile() if sys.argv[2] == "1" else None
start = time.perf_counter()
if profile:
    profile.enable()
state = job_run.call(int(sys.argv[1]))
if profile:
    profile.disable()
seconds = time.perf_counter() - start
if profile:
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
# VmHWM, this process's own peak: ru_maxrss would carry the bench's (the parent that built the
# file) across the fork and exec that started it.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"state": state, "seconds": seconds, "cpu_seconds": time.process_time(),
                  "peak_mb": peak_kb / 1024}))
"""

RANKS = ["BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "AIPTU", "IPDA", "IPTU"]
POSITIONS = ["Banit Samapta", "Bintara Sabhara", "Kanit Reskrim", "Babinkamtibmas", "Banit Intelkam"]


def roster(rows: int, units: list[str]) -> bytes:
    lines = ["NRP,Nama,Pangkat,Jabatan,Satuan"]
    for n in range(rows):
        lines.append(
            f"{90000000 + n},Personel Uji {n},{RANKS[n % len(RANKS)]},"
            f"{POSITIONS[n % len(POSITIONS)]},{units[n % len(units)]}"
        )
    return ("\n".join(lines) + "\n").encode()


def clean_up() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM operations_historicalofficer WHERE nrp >= '90000000'")
        cursor.execute("DELETE FROM operations_officer WHERE nrp >= '90000000'")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--world", default="bench_servers")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()

    # Production settings (the test settings move the cache to Redis database 1, which every test
    # run on this machine flushes): the job's progress must stay in --redis for the page to see it.
    os.environ.update(
        REDIS_URL=options.redis,
        DJANGO_SETTINGS_MODULE="pilkades.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE pilkades_{options.world}"],
        capture_output=True,
        check=False,
    )
    setup_django("postgres", name=options.world)
    from django.core.management import call_command
    from django.db import connection

    from jobs.models import Job
    from jobs.services import job_status
    from operations.jobs import ROSTER_IMPORT
    from operations.models import Operation, Unit

    if not Operation.objects.exists():
        call_command("load_demo", stdout=StringIO())
    clean_up()
    units = list(Unit.objects.order_by("name").values_list("name", flat=True))
    started = time.perf_counter()
    data = roster(options.rows, units)
    print(f"Roster job — {options.rows:,} rows ({len(data) / 1e6:.0f} MB CSV, {len(units)} units), "
          f"written in {time.perf_counter() - started:.1f} s")  # fmt: skip
    # What the admin's upload stores: the job row with the file; the queue row is the worker's business.
    job = Job.objects.create(
        kind=Job.Kind.ROSTER_IMPORT,
        runner=ROSTER_IMPORT,
        input_data=data,
        source_name="bench-roster.csv",
        options={"format": "csv", "dry_run": False},
    )
    del data
    connection.close()
    env = {**os.environ, "DATABASE_URL": database_url("postgres", options.world)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(job.pk), "1" if options.profile else "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    samples = []
    while child.poll() is None:
        time.sleep(1)
        status = job_status(Job.objects.defer("input_data").get(pk=job.pk))
        samples.append(status)
        connection.close()
    outcome = json.loads(child.stdout.read().strip().splitlines()[-1])
    job.refresh_from_db()
    print(f"   state {outcome['state']}: {job.summary or job.error_report[:3]}")
    rate = options.rows / outcome["seconds"]
    print(f"   wall time {outcome['seconds']:.1f} s (target ≤ 180 s) "
          f"[{'OK' if outcome['seconds'] <= 180 else 'MISS'}]; {rate:,.0f} rows/s")  # fmt: skip
    print(f"   CPU time of the job process {outcome['cpu_seconds']:.1f} s")
    print(f"   peak memory of the job process {outcome['peak_mb']:.0f} MB (target ≤ 500 MB) "
          f"[{'OK' if outcome['peak_mb'] <= 500 else 'MISS'}]")  # fmt: skip
    seen = [(s["state_label"], s["rows_read"], s["seconds"]) for s in samples[:: max(len(samples) // 8, 1)]]
    print(f"   progress page saw (state, rows read, seconds): {seen}")
    machine_note()
    clean_up()


if __name__ == "__main__":
    sys.exit(main())

"""The changes feed (GET /api/v1/changes/): time for a page of 500 changes, from the start and deep
in the history, through the API (token-less forced login, JSON rendered) and the selector alone.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<scratch db> \
        python bench/bench_changes.py [--rows 10000] [--profile]

Builds a throwaway test database (Django's test machinery; the named database is only where the
connection starts), writes ``--rows`` officers through officers_upsert (a history row each), then
updates them all (a second history row each) and adds 326 desa and 26 units, so the feed merges
several tables. Prints the median and worst of 20 page reads at each depth (after one unmeasured
read, the setup's garbage collected first), the CPU per page of this process and of its PostgreSQL
backend (from /proc: the machine is shared, so wall times carry other work's waits), and the load
average.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings_test")


def _backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (None elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server on another host
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _timed(label: str, function, repeat: int = 20) -> None:
    function()  # the first request of a kind imports and builds what later ones reuse
    times = []
    cpu, server = time.process_time(), _backend_cpu()
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu) * 1000 / repeat
    after = _backend_cpu()
    server = "n/a" if server is None or after is None else f"{(after - server) * 1000 / repeat:.1f} ms"
    print(
        f"  {label}: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms; "
        f"CPU per page {cpu:.1f} ms here, {server} in the database"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="cProfile of the deep page, top 25")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from rest_framework.test import APIClient

        from operations.models import Unit
        from operations.ranks import Pangkat
        from operations.roles import KABAG_OPS
        from operations.selectors.changes import changes_since
        from operations.services.officers import officers_upsert
        from tests.factories import UserFactory
        from villages.models import Desa, Kecamatan

        kecamatan = Kecamatan.objects.create(code="36.04.01", name="Bench")
        desa = [Desa(code=f"36.04.01.{2000 + i}", name=f"Desa {i}", kecamatan=kecamatan) for i in range(326)]
        for row in desa:
            row.save()  # one history row each, as the admin or the API writes them
        units = []
        for i in range(26):
            units.append(Unit.objects.create(name=f"Polsek Bench {i}", kind=Unit.Kind.POLSEK))
        rows = [
            {
                "nrp": f"{70000000 + i:08d}",
                "name": f"Personel {i}",
                "rank": int(Pangkat.BRIPDA),
                "position": "Banit Samapta",
                "unit_name": units[i % 26].name,
                "home_desa_code": desa[i % 326].code,
                "phone": "0812 0000 0000",
            }
            for i in range(args.rows)
        ]
        officers_upsert(rows=rows, by=None)
        officers_upsert(rows=[{**r, "phone": "0813 1111 1111"} for r in rows], by=None)

        from django.contrib.auth.models import Group

        user = UserFactory(username="bench.kabag")
        user.groups.add(Group.objects.get(name=KABAG_OPS))
        client = APIClient()
        client.force_authenticate(user)

        first, _ = changes_since(after=None, limit=500)
        deep_after = changes_since(after=None, limit=500)[0][-1].position
        for _ in range(args.rows // 500):
            page, more = changes_since(after=deep_after, limit=500)
            if not more:
                break
            deep_after = page[-1].position
        deep_cursor = deep_after.encode()

        def api(cursor):
            response = client.get("/api/v1/changes/", {"since": cursor} if cursor else {})
            assert response.status_code == 200 and len(response.json()["results"]) == 500, (
                response.status_code
            )

        # The setup's garbage, collected now: its first full collection (0.3 s on a loaded machine)
        # fell inside one page read and stood as that run's worst.
        gc.collect()
        total = sum(
            model.history.count()
            for _, model in __import__("operations.selectors.changes", fromlist=["RESOURCES"]).RESOURCES
        )
        print(f"{connection.vendor}: {total} history rows; load average {os.getloadavg()}")
        for label, cursor, after in (("start", None, None), ("deep", deep_cursor, deep_after)):
            _timed(f"page of 500 via API ({label})", lambda cursor=cursor: api(cursor))
            _timed(f"page of 500, selector only ({label})", lambda after=after: changes_since(after=after))
        print(f"load average after: {os.getloadavg()}")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [changes_since(after=deep_after, limit=500) for _ in range(5)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

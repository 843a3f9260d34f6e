"""Bulk upsert of officers through the service behind POST /api/v1/officers/bulk/ (officers_upsert).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<scratch db> python bench/bench_bulk.py [--rows 10000]

Builds a throwaway test database (Django's test-database machinery, so the named database is only
the connection's starting point), a Polres with 26 Polsek and 326 desa, then times: 10,000 new
officers, then the same 10,000 again with a changed phone and home desa (every row an update).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from operations.models import Unit
        from operations.ranks import Pangkat
        from operations.services.officers import officers_upsert
        from villages.models import Desa, Kecamatan

        kecamatan = Kecamatan.objects.create(code="36.04.01", name="Bench")
        desa = Desa.objects.bulk_create(
            Desa(code=f"36.04.01.{2000 + i}", name=f"Desa {i}", kecamatan=kecamatan) for i in range(326)
        )
        units = [Unit.objects.create(name=f"Polsek Bench {i}", kind=Unit.Kind.POLSEK) for i in range(26)]
        rows = [
            {
                "nrp": f"{70000000 + i:08d}",
                "name": f"Personel {i}",
                "rank": int(Pangkat.BRIPDA),
                "position": "Bhabinkamtibmas" if i % 3 else "Banit Samapta",
                "unit_name": units[i % 26].name,
                "home_desa_code": desa[i % 326].code,
                "phone": "0812 0000 0000",
                "is_active": True,
            }
            for i in range(args.rows)
        ]
        for label, batch in (
            ("create", rows),
            (
                "update",
                [
                    {**r, "phone": "0813 1111 1111", "home_desa_code": desa[(i + 1) % 326].code}
                    for i, r in enumerate(rows)
                ],
            ),
        ):
            started, cpu = time.perf_counter(), time.process_time()
            result = officers_upsert(rows=batch, by=None)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"{connection.vendor} bulk upsert {label} {args.rows} officers: {elapsed:.2f} s "
                f"(CPU of this process {cpu:.2f} s) {result}"
            )
        print(f"load average {os.getloadavg()[0]:.1f} (1 min)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

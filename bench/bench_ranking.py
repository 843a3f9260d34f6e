"""The risk ranking of a national election (84,000 desa): into Python, a page through the API, a kabupaten.

Measured in process, server side: the selector `ranking_for_operation` into Python, and the API
`/api/v1/operations/{id}/ranking/` through Django's test Client (the whole middleware, DRF, token
authentication, pagination and serialisation; no network). Query counts per request are taken at
two scales, a province world and the national world, to show they do not grow with the data.

    python bench/build_world.py --db sqlite                 # the national world `bench` (once)
    python bench/bench_ranking.py --db sqlite [--repeat 30]

The province world `bench_province` (prefix 11 of the same list) is built on first use.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, PG_SERVER, machine_note, row, setup_django, timed

HERE = Path(__file__).resolve().parent
PROVINCE_NAME, PROVINCE_PREFIX = "bench_province", "11"
HQ_USERNAME = "bench-hq"

# PERFORMANCE.md, PostgreSQL 15 and psycopg 3 into Python (SQLite 3.40 is within the same range).
FLOOR_FULL_MS = (530, 650)  # full ranking: stored table 530 ms, computed at query time 640–670 ms
FLOOR_PAGE_MS = 0.8
FLOOR_KABUPATEN_MS = (2, 3)


def world_exists(db: str, name: str) -> bool:
    if db == "sqlite":
        return (OUT / f"{name}.sqlite3").exists()
    found = subprocess.run(
        [
            "psql",
            PG_SERVER + "/postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = 'pilkades_{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip() == "1"


def hq_token() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from operations.roles import KABAG_OPS
    from operations.services.tokens import person_token_create

    user, _ = get_user_model().objects.get_or_create(username=HQ_USERNAME)
    user.groups.add(Group.objects.get(name=KABAG_OPS))
    # A person's token, as a Kabag Ops' script gets it (it lasts PERSON_TOKEN_LIFETIME, ample for a run).
    return person_token_create(user=user).key


def measure(repeat: int) -> dict:
    """Every figure of one world, as a dict (printed by the caller)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from operations.models import Jurisdiction, Operation, VillageStanding
    from operations.selectors.ranking import ranking_for_operation, ranking_table
    from villages.models import Kecamatan

    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS
    operation = Operation.objects.filter(name__startswith="Ops bench").latest("pk")
    villages = VillageStanding.objects.filter(operation=operation).count()
    kabupaten = Kecamatan.objects.order_by("code").values_list("code", flat=True).first()[:5]
    polsek_id = (
        VillageStanding.objects.filter(operation=operation).values_list("polsek_id", flat=True).first()
    )
    # A Polsek user's rows are limited by the kecamatan of its jurisdiction.
    polsek_kecamatan_ids = list(
        Jurisdiction.objects.filter(unit_id=polsek_id).values_list("kecamatan_id", flat=True)
    )

    client = Client(HTTP_AUTHORIZATION=f"Token {hq_token()}")
    base = f"/api/v1/operations/{operation.pk}/ranking/"
    last_page = (villages + 49) // 50

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            get(url)
        return len(captured)

    full_ms, ranked = timed(
        lambda: list(ranking_for_operation(operation=operation)), repeat=max(3, repeat // 10)
    )
    # Where the full ranking's time goes: the same SQL executed raw and fetched as tuples.
    sql, params = ranking_for_operation(operation=operation).query.sql_with_params()

    def raw() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    raw_ms, _ = timed(raw, repeat=max(3, repeat // 10))
    # What the app reads the whole ranking with (the XLSX/CSV download): ranking_table's tuples.
    values_ms, table = timed(lambda: ranking_table(operation=operation), repeat=max(3, repeat // 10))
    assert [r[0] for r in table] == [s.desa_code for s in ranked]
    kab_code_ms, kab_rows = timed(
        lambda: list(ranking_for_operation(operation=operation, kabupaten=kabupaten)),
        repeat=repeat,
    )
    kab_values_ms, _ = timed(lambda: ranking_table(operation=operation, kabupaten=kabupaten), repeat=repeat)
    kab_ids = list(Kecamatan.objects.filter(code__startswith=kabupaten + ".").values_list("pk", flat=True))
    assert {s.kecamatan_id for s in kab_rows} <= set(kab_ids)
    assert (
        len(kab_rows) == VillageStanding.objects.filter(operation=operation, kecamatan_id__in=kab_ids).count()
    )
    polsek_ms, polsek_rows = timed(
        lambda: list(ranking_for_operation(operation=operation, visible_kecamatan_ids=polsek_kecamatan_ids)),
        repeat=repeat,
    )
    urls = {
        "first page of 50": f"{base}?page_size=50",
        "last page of 50": f"{base}?page_size=50&page={last_page}",
        "Sangat Rawan only, first page": f"{base}?page_size=50&level=3",
        "one Polsek, first page": f"{base}?page_size=50&polsek={polsek_id}",
    }
    # Where a first page's time goes: the paginator's COUNT, the page query, the serialiser.
    from operations.api.ranking import StandingSerializer

    count_ms, _ = timed(lambda: ranking_for_operation(operation=operation).count(), repeat=repeat)
    page_query_ms, page = timed(lambda: list(ranking_for_operation(operation=operation)[:50]), repeat=repeat)
    serialise_ms, _ = timed(lambda: StandingSerializer(page, many=True).data, repeat=repeat)
    from django.core.cache import cache

    def cold(url: str) -> None:
        cache.clear()  # every request computes its page: the figure for a ranking that just changed
        get(url)

    page_ms = {
        label: timed(lambda url=url: cold(url), repeat=repeat, warmup=3)[0] for label, url in urls.items()
    }
    warm_ms, _ = timed(lambda: get(urls["first page of 50"]), repeat=repeat, warmup=3)
    cache.clear()
    return {
        "vendor": connection.vendor,
        "villages": villages,
        "ranked_rows": len(ranked),
        "full_ms": full_ms,
        "raw_ms": raw_ms,
        "values_ms": values_ms,
        "table_columns": len(table[0]),
        "kabupaten": kabupaten,
        "kabupaten_rows": len(kab_rows),
        "polsek_ms": polsek_ms,
        "polsek_rows": len(polsek_rows),
        "polsek_kecamatan": len(polsek_kecamatan_ids),
        "kab_code_ms": kab_code_ms,
        "kab_values_ms": kab_values_ms,
        "page_ms": page_ms,
        "warm_ms": warm_ms,
        "count_ms": count_ms,
        "page_query_ms": page_query_ms,
        "serialise_ms": serialise_ms,
        "page_queries": {label: (cache.clear(), queries(url))[1] for label, url in urls.items()},
        "warm_queries": (get(urls["first page of 50"]), queries(urls["first page of 50"]))[1],
    }


def report(figures: dict, province: dict | None) -> None:
    print(
        f"== ranking of {figures['villages']} villages on {figures['vendor']}"
        f" (kabupaten {figures['kabupaten']}: {figures['kabupaten_rows']} desa)"
    )
    machine_note()
    row(
        f"full ranking into Python (ranking_table: {figures['table_columns']}-column tuples, ms)",
        figures["values_ms"],
        "ms",
        target=1200,
        floor=FLOOR_FULL_MS[0],
    )
    row(
        f"  the same as {figures['ranked_rows']} model rows (ranking_for_operation, ms)",
        figures["full_ms"],
        "ms",
        floor=FLOOR_FULL_MS[0],
    )
    row("  the model rows' SQL fetched raw as tuples (ms)", figures["raw_ms"], "ms")
    row(
        "API first page of 50, server side, page computed (ms/request)",
        figures["page_ms"]["first page of 50"],
        "ms",
        20,
        FLOOR_PAGE_MS,
    )
    row(
        f"  the same page from the cache ({figures['warm_queries']} queries, ms/request)",
        figures["warm_ms"],
        "ms",
        20,
        FLOOR_PAGE_MS,
    )
    row("  of which the paginator's COUNT(*) over the operation (ms)", figures["count_ms"], "ms")
    row("  of which the page query into 50 model rows (ms)", figures["page_query_ms"], "ms")
    row("  of which serialising 50 rows (StandingSerializer, ms)", figures["serialise_ms"], "ms")
    for label in ("last page of 50", "Sangat Rawan only, first page", "one Polsek, first page"):
        row(f"API {label}, computed (ms/request)", figures["page_ms"][label], "ms")
    row(
        "one kabupaten by its code (kabupaten=, model rows, ms)",
        figures["kab_code_ms"],
        "ms",
        10,
        FLOOR_KABUPATEN_MS[1],
    )
    row("  the same as tuples (ranking_table, ms)", figures["kab_values_ms"], "ms", 10, FLOOR_KABUPATEN_MS[1])
    row(
        f"one Polsek's jurisdiction ({figures['polsek_kecamatan']} kecamatan, {figures['polsek_rows']} desa,"
        " model rows, ms)",
        figures["polsek_ms"],
        "ms",
    )
    header = f"   queries per request (page computed): {'':<19}"
    if province:
        header += f"province ({province['villages']} desa)  "
    print(header + f"nation ({figures['villages']} desa)")
    for label, count in figures["page_queries"].items():
        line = f"     {label:<52}"
        if province:
            line += f"{province['page_queries'][label]:>8}{'':>14}"
        flat = "" if not province else ("  flat" if province["page_queries"][label] == count else "  GROWS")
        print(f"{line}{count:>8}{flat}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", default="bench", help="the world to measure (default: the nation)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()

    province = None
    if not args.json:
        if not world_exists(args.db, PROVINCE_NAME):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, str(HERE / "build_world.py"), "--db", args.db]
                + ["--prefix", PROVINCE_PREFIX, "--name", PROVINCE_NAME],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(f"   built the province world in {time.perf_counter() - started:.0f} s")
        province = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--db", args.db, "--name", PROVINCE_NAME, "--json"]
                + ["--repeat", str(args.repeat)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    setup_django(args.db, name=args.name)
    figures = measure(args.repeat)
    if args.json:
        print(json.dumps(figures))
    else:
        report(figures, province)


if __name__ == "__main__":
    main()

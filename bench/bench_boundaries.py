"""Boundary import and the map endpoint (issue 12): the figures of the README's Kinerja table.

python bench/bench_boundaries.py [--db sqlite|postgres] [--province-desa 7800]

1. Import of Kabupaten Serang's 326 desa from the shipped public file (first run and re-import).
2. Import of a generated province of ~7,800 desa in the same format (the real rows repeated under
   new codes): time and the process's peak RSS, measured before anything else grows it.
3. The map endpoint for Kab. Serang (326 desa): computed after a change, cached, and its gzip size.
   "Server time" is what the app's request log measures around the whole middleware stack (the
   figure the issue sets); the test client's own wall time is printed beside it.
"""

import argparse
import logging
import re
import statistics
import time
from pathlib import Path

from common import OUT, ROOT, machine_note, peak_rss_mb, row, setup_django

SERANG = Path("/work/shared/data/boundaries/wilayah_boundaries_kel_36.04.sql")
ROW = re.compile(r"^\s*\('(\d{2}\.\d{2}\.\d{2}\.\d{4})','((?:[^']|'')*)'")


def real_file() -> Path:
    """The full Kab. Serang file when the shared data is beside the project, else the demo subset."""
    return SERANG if SERANG.exists() else ROOT / "operations" / "demo_boundaries" / "desa_36.04_demo.sql"


def codes_in(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [(m.group(1), m.group(2).replace("''", "'")) for m in map(ROW.match, lines) if m]


def write_province(source: Path, target: Path, count: int) -> list[tuple[str, str]]:
    """A province of ``count`` desa: the real rows again and again under codes 99.KK.CC.DDDD."""
    header, rows = [], []
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            (rows if ROW.match(line) else header).append(line.rstrip("\n").rstrip(",;"))
    header = [h for h in header if h.startswith("INSERT")] or ["INSERT INTO wilayah_boundaries VALUES"]
    codes = []
    with target.open("w", encoding="utf-8") as out:
        out.write(header[0] + "\n")
        for i in range(count):
            code = f"99.{i // 2000 + 1:02d}.{i // 100 % 20 + 1:02d}.{2001 + i % 100:04d}"
            name = f"Desa {i}"
            line = ROW.sub(f"\t('{code}','{name}'", rows[i % len(rows)], count=1)
            out.write(line + (",\n" if i < count - 1 else ";\n"))
            codes.append((code, name))
    return codes


def create_places(codes: list[tuple[str, str]]) -> None:
    from villages.models import Desa, Kecamatan

    kecamatan = {code[:8] for code, _ in codes}
    Kecamatan.objects.bulk_create(
        [Kecamatan(code=c, name=f"Kecamatan {c}") for c in sorted(kecamatan)], ignore_conflicts=True
    )
    ids = dict(Kecamatan.objects.values_list("code", "pk"))
    Desa.objects.bulk_create(
        [Desa(code=code, name=name, kecamatan_id=ids[code[:8]]) for code, name in codes], batch_size=2000
    )


def timed_import(path: Path, prefix: str) -> tuple[float, object]:
    from villages.boundary_import import boundaries_import

    start = time.perf_counter()
    with path.open("rb") as stream:
        report = boundaries_import(sources=[(path.name, stream)], prefix=prefix)
    return time.perf_counter() - start, report


class ServerTimes(logging.Handler):
    """The request log's ``duration_ms`` of each request: the server's own time for it."""

    def __init__(self):
        super().__init__()
        self.samples: list[float] = []

    def emit(self, record):
        if hasattr(record, "duration_ms"):
            self.samples.append(record.duration_ms)

    def take(self) -> list[float]:
        samples, self.samples = self.samples, []
        return samples


def map_figures(prefix: str) -> dict:
    from django.core.cache import cache
    from django.db.models import F
    from django.test import Client

    from operations.models import Operation, PatternSet
    from operations.roles import KABAG_OPS
    from operations.selectors.map import desa_map_geojson
    from operations.services.standings import standings_refresh
    from tests.factories import ElectionFactory, OperationFactory, UserFactory, VillageElectionFactory
    from villages.models import Desa

    election = ElectionFactory()
    for desa in Desa.objects.filter(code__startswith=prefix + "."):
        VillageElectionFactory(election=election, desa=desa)
    operation = OperationFactory(election=election, pattern_set=PatternSet.objects.order_by("pk").first())
    standings_refresh(operation=operation)
    computed = []
    for _ in range(20):
        start = time.perf_counter()
        body = desa_map_geojson(operation=operation, kabupaten=prefix, visible_kecamatan_ids=None)
        computed.append(time.perf_counter() - start)
    client = Client()
    client.force_login(UserFactory(role=KABAG_OPS, is_staff=True))
    server = ServerTimes()
    request_log = logging.getLogger("pilkades.request")
    request_log.addHandler(server)
    request_log.propagate = False  # the figures, not a log line per request
    url = f"/api/v1/operations/{operation.pk}/map/?kabupaten={prefix}"
    after_change, cached = [], []
    after_change_cpu = []
    for _ in range(10):
        Operation.objects.filter(pk=operation.pk).update(ranking_version=F("ranking_version") + 1)
        start, cpu = time.perf_counter(), time.thread_time()
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        after_change.append(time.perf_counter() - start)
        after_change_cpu.append(time.thread_time() - cpu)
        assert response.status_code == 200, response.content[:200]
    after_change_server = server.take()
    cached_cpu = []
    for _ in range(50):
        start, cpu = time.perf_counter(), time.thread_time()
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        cached.append(time.perf_counter() - start)
        cached_cpu.append(time.thread_time() - cpu)
    cached_server = server.take()
    request_log.removeHandler(server)
    cache.clear()
    return {
        "features": body.count(b'"type":"Feature"'),
        "raw_kb": len(body) / 1024,
        "gzip_kb": len(response.content) / 1024,
        "computed_ms": statistics.median(computed) * 1000,
        "after_change_ms": statistics.median(after_change) * 1000,
        "cached_ms": statistics.median(cached) * 1000,
        "after_change_server_ms": statistics.median(after_change_server),
        "cached_server_ms": statistics.median(cached_server),
        "cached_server_p95_ms": statistics.quantiles(cached_server, n=20)[-1],
        # CPU time of the thread (server and test client): what a busy machine does not inflate.
        "after_change_cpu_ms": statistics.median(after_change_cpu) * 1000,
        "cached_cpu_ms": statistics.median(cached_cpu) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--province-desa", type=int, default=7_800)
    parser.add_argument("--map-only", action="store_true", help="skip the province import")
    args = parser.parse_args()

    source = real_file()
    province_path = OUT / "boundaries_province.sql"
    OUT.mkdir(parents=True, exist_ok=True)
    province_codes = [] if args.map_only else write_province(source, province_path, args.province_desa)
    setup_django(args.db, fresh=True, name="bench_boundaries")
    serang_codes = codes_in(source)
    create_places(province_codes)
    create_places(serang_codes)
    machine_note()
    if not args.map_only:
        province(province_path, args.province_desa)

    seconds, report = timed_import(source, "36.04")
    print(f"source: {source.name}, {report.updated['desa']} desa written")
    row(f"import Kab. Serang ({len(serang_codes)} desa)", seconds, "s", target=2)
    seconds, report = timed_import(source, "36.04")
    row(f"  re-import, unchanged ({report.unchanged['desa']} desa)", seconds, "s", target=2)

    figures = map_figures("36.04")
    print(f"map: {figures['features']} features, {figures['raw_kb']:.0f} KB raw")
    row("map endpoint, selector only (median)", figures["computed_ms"], "ms")
    row("map after a change: server time (median)", figures["after_change_server_ms"], "ms", target=60)
    row("  whole request through the test client", figures["after_change_ms"], "ms")
    row("  CPU time of the request (client included)", figures["after_change_cpu_ms"], "ms")
    row("map cached: server time (median)", figures["cached_server_ms"], "ms", target=5)
    row("  server time p95", figures["cached_server_p95_ms"], "ms")
    row("  whole request through the test client", figures["cached_ms"], "ms")
    row("  CPU time of the request (client included)", figures["cached_cpu_ms"], "ms")
    row("map answer gzip-compressed", figures["gzip_kb"], "KB", target=250)
    machine_note()


def province(province_path: Path, count: int) -> None:
    rss_before = peak_rss_mb()
    cpu = time.process_time()
    seconds, report = timed_import(province_path, "99")
    cpu = time.process_time() - cpu
    rss_peak = peak_rss_mb()
    size_mb = province_path.stat().st_size / 2**20
    print(f"province file: {size_mb:.1f} MB, {report.updated['desa']} desa written")
    row(f"import {count:,}-desa province", seconds, "s", target=30)
    row("  CPU time of the process (what load does not inflate)", cpu, "s")
    row("  peak RSS of the process", rss_peak, "MB", target=300)
    row("  of which grown by the import", rss_peak - rss_before, "MB")


if __name__ == "__main__":
    main()

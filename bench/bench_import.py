"""Import of the national region list (84,000 desa): rows per second and peak memory.

python bench/bench_import.py [--db sqlite|postgres] [--desa 84000]
"""

import argparse
import time

from common import OUT, peak_rss_mb, row, setup_django
from synthetic_regions import write_regions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--desa", type=int, default=84_000)
    args = parser.parse_args()

    path = OUT / "regions.csv"
    kecamatan, desa = write_regions(path, args.desa)
    # A database of its own: recreating it must not wipe the national world the other scripts use.
    setup_django(args.db, fresh=True, name="bench_import")
    from villages.services import regions_import

    data = path.read_bytes()
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    report = regions_import(data=data)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = regions_import(data=data)
    second = time.perf_counter() - start

    print(f"== import of {desa} desa in {kecamatan} kecamatan on {args.db}")
    print(f"   first run: {report.summary()}")
    print(f"   re-import: {again.summary()}")
    row("first import (s)", first, "s", target=30)
    row("first import rows per second", (desa + kecamatan) / first, "rows/s")
    row("re-import of the same list (s)", second, "s", target=30)
    row("peak RSS of the process (MB)", peak_rss_mb(), "MB")
    row("peak RSS growth during import (MB)", peak_rss_mb() - rss_before, "MB")


if __name__ == "__main__":
    main()

"""Import of the national region list (84,000 desa): rows per second and peak memory.

python bench/bench_import.py [--db sqlite|postgres] [--desa 84000] [--profile]

--profile runs the first import under cProfile and prints the 25 costliest calls (cumulative).
"""

import argparse
import cProfile
import pstats
import time

from common import OUT, peak_rss_mb, row, setup_django
from synthetic_regions import write_regions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--desa", type=int, default=84_000)
    parser.add_argument("--profile", action="store_true", help="profile the first import (cProfile)")
    args = parser.parse_args()

    path = OUT / "regions.csv"
    kecamatan, desa = write_regions(path, args.desa)
    # A database of its own: recreating it must not wipe the national world the other scripts use.
    setup_django(args.db, fresh=True, name="bench_import")
    from villages.services import regions_import

    data = path.read_bytes()
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    if args.profile:
        profiler = cProfile.Profile()
        report = profiler.runcall(regions_import, data=data)
    else:
        report = regions_import(data=data)
    first = time.perf_counter() - start
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    start = time.perf_counter()
    again = regions_import(data=data)
    second = time.perf_counter() - start
    # A new edition of the list renames about one village in ten: each renamed row gets a history row.
    renamed = _rename_every_tenth_desa(data)
    start = time.perf_counter()
    changed = regions_import(data=renamed)
    third = time.perf_counter() - start

    print(f"== import of {desa} desa in {kecamatan} kecamatan on {args.db}")
    print(f"   first run: {report.summary()}")
    print(f"   re-import: {again.summary()}")
    print(f"   re-import with renames: {changed.summary()}")
    row("first import (s)", first, "s", target=30)
    row("first import rows per second", (desa + kecamatan) / first, "rows/s")
    row("re-import of the same list (s)", second, "s", target=30)
    row("re-import renaming 1 desa in 10 (s)", third, "s", target=30)
    row("peak RSS of the process (MB)", peak_rss_mb(), "MB")
    row("peak RSS growth during import (MB)", peak_rss_mb() - rss_before, "MB")


def _rename_every_tenth_desa(data: bytes) -> bytes:
    lines = data.decode().splitlines()
    desa_seen = 0
    for index, line in enumerate(lines):
        code, _, name = line.partition(",")
        if code.count(".") == 3:
            desa_seen += 1
            if desa_seen % 10 == 0:
                lines[index] = f"{code},{name} Baru"
    return ("\n".join(lines) + "\n").encode()


if __name__ == "__main__":
    main()

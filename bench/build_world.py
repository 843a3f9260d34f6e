"""Build a synthetic but realistic province or nation on top of an imported region list.

Per kabupaten a Polres (HQ at the kabupaten's centre), one Polsek per ~3 kecamatan and a Sat
Polairud (boat crew), desa scattered within ~25 km with TPS and voters drawn from realistic ranges,
about 1 in 100 reached only by sea (from the operation's port); about 2 officers per village split
between Polsek and Polres HQ, a BKO pool (Brimob, Polda) per province with its HQ in the province's
first kabupaten, a quarter of the Brimob kept as reaction reserve, patrols of 2 per kecamatan; one
election, one operation; three reports per village of which the latest verified one sets the
current risk. Rows are written
in bulk (this is set-up, not what is measured); the stored risk and ranking rows are then built by
the app's own service (`risk_recompute_all`), whose time is printed.

    python bench/build_world.py [--db sqlite|postgres] [--prefix 36] [--desa 84000]
        [--kabupaten-per-province 7] [--name bench]

The ranking and load benchmarks use the national world `bench` with 7 kabupaten per province
(~316 desa per kabupaten); the allocation benchmark builds its own worlds (see bench_allocation.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import time
from collections import defaultdict
from decimal import Decimal

from common import OUT, gather_statistics, row, setup_django
from synthetic_regions import write_regions

BATCH = 5000
# Issue 13's rules measured: each Polres's Sat Polairud, the Brimob reaction reserve, patrols.
POLAIRUD_PER_POLRES = 16
RESERVE_SHARE_OF_BRIMOB = 4  # a quarter
PATROL_PER_KECAMATAN = 2


def build(prefix: str, seed: int = 7) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from operations.models import (
        BkoContingent,
        Jurisdiction,
        Officer,
        Operation,
        PatternSet,
        RiskReport,
        Unit,
    )
    from villages.models import Desa, Election, Kecamatan, VillageElection

    rng = random.Random(seed)
    user = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})[0]
    kecamatan = list(Kecamatan.objects.filter(code__startswith=prefix).order_by("code"))
    by_kab: dict[str, list] = defaultdict(list)
    for kec in kecamatan:
        by_kab[kec.code[:5]].append(kec)

    with transaction.atomic():
        centres = {}
        for kab in by_kab:
            province, number = int(kab[:2]), int(kab[3:])
            centres[kab] = (-8.5 + (province % 19) * 0.6 + number * 0.02, 95.5 + (province % 38) * 0.9)
        polres = Unit.objects.bulk_create(
            [
                Unit(
                    name=f"Polres {kab}",
                    kind="polres",
                    hq_latitude=Decimal(f"{centres[kab][0]:.6f}"),
                    hq_longitude=Decimal(f"{centres[kab][1]:.6f}"),
                )
                for kab in by_kab
            ],
            batch_size=BATCH,
        )
        polres_by_kab = dict(zip(by_kab, polres, strict=True))
        polsek_rows, jurisdiction_rows, kec_polsek = [], [], {}
        for kab, kecs in by_kab.items():
            lat0, lon0 = centres[kab]
            for start in range(0, len(kecs), 3):
                group = kecs[start : start + 3]
                unit = Unit(
                    name=f"Polsek {group[0].code}",
                    kind="polsek",
                    parent=polres_by_kab[kab],
                    hq_latitude=Decimal(f"{lat0 + rng.uniform(-0.2, 0.2):.6f}"),
                    hq_longitude=Decimal(f"{lon0 + rng.uniform(-0.2, 0.2):.6f}"),
                )
                polsek_rows.append((unit, group))
        Unit.objects.bulk_create([u for u, _ in polsek_rows], batch_size=BATCH)
        for unit, group in polsek_rows:
            for kec in group:
                jurisdiction_rows.append(Jurisdiction(unit=unit, kecamatan=kec))
                kec_polsek[kec.pk] = unit
        Jurisdiction.objects.bulk_create(jurisdiction_rows, batch_size=BATCH)
        # Each Polres's Sat Polairud, at a harbour on the kabupaten's coast.
        polairud = Unit.objects.bulk_create(
            [
                Unit(
                    name=f"Sat Polairud {kab}",
                    kind="polairud",
                    parent=polres_by_kab[kab],
                    hq_latitude=Decimal(f"{centres[kab][0] + 0.3:.6f}"),
                    hq_longitude=Decimal(f"{centres[kab][1]:.6f}"),
                )
                for kab in by_kab
            ],
            batch_size=BATCH,
        )

        desa_rows = list(Desa.objects.filter(code__startswith=prefix).select_related("kecamatan"))
        for desa in desa_rows:
            lat0, lon0 = centres[desa.code[:5]]
            radius, angle = 0.25 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            desa.latitude = Decimal(f"{lat0 + radius * math.sin(angle):.6f}")
            desa.longitude = Decimal(f"{lon0 + radius * math.cos(angle):.6f}")
            desa.sea_access_only = rng.random() < 0.01
        Desa.objects.bulk_update(desa_rows, ["latitude", "longitude", "sea_access_only"], batch_size=BATCH)

        provinces = sorted({kab[:2] for kab in by_kab})
        first_kab = {province: min(k for k in by_kab if k[:2] == province) for province in provinces}
        bko_units = []
        for province in provinces:
            lat, lon = centres[first_kab[province]]
            hq = {"hq_latitude": Decimal(f"{lat:.6f}"), "hq_longitude": Decimal(f"{lon:.6f}")}
            bko_units += [
                Unit(name=f"Sat Brimob Polda {province}", kind="brimob", supplies_bko=True, **hq),
                Unit(name=f"Polda {province}", kind="polda", supplies_bko=True, **hq),
            ]
        Unit.objects.bulk_create(bko_units, batch_size=BATCH)

        desa_by_kec: dict[int, int] = defaultdict(int)
        for desa in desa_rows:
            desa_by_kec[desa.kecamatan_id] += 1
        officers, nrp = [], 10_000_000
        for unit, group in polsek_rows:
            for _ in range(sum(desa_by_kec[k.pk] for k in group)):
                nrp += 1
                officers.append(
                    Officer(
                        nrp=str(nrp), name=f"Personel {nrp}", rank=rng.choice([20, 21, 22, 23, 24]), unit=unit
                    )
                )
        for kab, unit in polres_by_kab.items():
            for _ in range(sum(desa_by_kec[k.pk] for k in by_kab[kab])):
                nrp += 1
                officers.append(
                    Officer(
                        nrp=str(nrp), name=f"Personel {nrp}", rank=rng.choice([21, 22, 23, 30, 31]), unit=unit
                    )
                )
        for unit in polairud:
            for _ in range(POLAIRUD_PER_POLRES):
                nrp += 1
                rank = rng.choice([20, 21, 22, 23])
                officers.append(Officer(nrp=str(nrp), name=f"Personel {nrp}", rank=rank, unit=unit))
        brimob = 0
        for unit in bko_units:
            for _ in range(max(10, len(desa_rows) // (5 * len(bko_units)))):
                nrp += 1
                brimob += unit.kind == "brimob"
                officers.append(
                    Officer(nrp=str(nrp), name=f"Personel {nrp}", rank=rng.choice([20, 21, 22]), unit=unit)
                )
        Officer.objects.bulk_create(officers, batch_size=BATCH)

        election = Election.objects.create(
            name=f"Pilkades bench {prefix or 'nasional'}", voting_day=dt.date(2019, 10, 20)
        )
        village_elections = VillageElection.objects.bulk_create(
            [
                VillageElection(
                    election=election,
                    desa=desa,
                    tps_count=rng.randint(2, 14),
                    registered_voters=rng.randint(800, 9000),
                )
                for desa in desa_rows
            ],
            batch_size=BATCH,
        )
        pattern_set = PatternSet.objects.get(name__startswith="Polres Serang")
        pattern_set.patrol_per_kecamatan = PATROL_PER_KECAMATAN
        pattern_set.save(update_fields=["patrol_per_kecamatan"])
        port = centres[min(by_kab)]
        operation = Operation.objects.create(
            name=f"Ops bench {prefix or 'nasional'}",
            election=election,
            starts_on=dt.date(2019, 9, 1),
            ends_on=dt.date(2019, 10, 31),
            pattern_set=pattern_set,
            reaction_reserve=brimob // RESERVE_SHARE_OF_BRIMOB,
            sea_port_name="Pelabuhan bench",
            sea_port_latitude=Decimal(f"{port[0] + 0.3:.6f}"),
            sea_port_longitude=Decimal(f"{port[1]:.6f}"),
        )
        BkoContingent.objects.bulk_create(
            [BkoContingent(operation=operation, unit=u, status="arrived") for u in bko_units],
            batch_size=BATCH,
        )

        now = timezone.now()
        reports = []
        for ve in village_elections:
            for age in (3, 2, 1):
                score = Decimal(rng.choice([5, 10, 20, 30, 40, 55, 70]))
                level = 3 if score >= 50 else 2 if score >= 25 else 1
                reports.append(
                    RiskReport(
                        village_election=ve,
                        author=user,
                        status="verified",
                        score=score,
                        computed_level=level,
                        submitted_at=now - dt.timedelta(days=age * 10),
                        decided_at=now - dt.timedelta(days=age * 10 - 1),
                        decided_by=user,
                    )
                )
        RiskReport.objects.bulk_create(reports, batch_size=BATCH)

    from operations.services.reports import risk_recompute_all

    start = time.perf_counter()
    risk_recompute_all()
    row("risk_recompute_all (stored risk + ranking rows)", time.perf_counter() - start, "s")
    # Without statistics SQLite walks the ranking-order index over all 84,000 rows to filter one
    # kabupaten or Polsek (~200 ms) instead of using the kecamatan/Polsek index and sorting 316 rows.
    gather_statistics()
    return {
        "kabupaten": len(by_kab),
        "kecamatan": len(kecamatan),
        "desa": len(desa_rows),
        "officers": len(officers),
        "sea_villages": sum(d.sea_access_only for d in desa_rows),
        "polairud": len(polairud) * POLAIRUD_PER_POLRES,
        "brimob": brimob,
        "reports": len(reports),
        "operation": operation.pk,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--prefix", default="", help="only this province/kabupaten code (empty: nation)")
    parser.add_argument("--desa", type=int, default=84_000)
    parser.add_argument("--kabupaten-per-province", type=int, default=7)
    parser.add_argument("--name", default="bench", help="database name suffix (pilkades_<name>)")
    args = parser.parse_args()
    counts = build_world(
        args.db,
        prefix=args.prefix,
        desa=args.desa,
        kabupaten_per_province=args.kabupaten_per_province,
        name=args.name,
    )
    print("   " + ", ".join(f"{k}: {v}" for k, v in counts.items()))


def build_world(db: str, *, prefix: str, desa: int, kabupaten_per_province: int, name: str) -> dict[str, int]:
    """A fresh database `name` holding the world of the region list's `prefix` (empty: nation)."""
    path = OUT / f"regions-{desa}-{kabupaten_per_province}.csv"
    write_regions(path, desa, kabupaten_per_province=kabupaten_per_province)
    setup_django(db, fresh=True, name=name)
    from villages.services import regions_import

    start = time.perf_counter()
    regions_import(data=path.read_bytes(), prefix=prefix)
    row("region import", time.perf_counter() - start, "s")
    start = time.perf_counter()
    counts = build(prefix)
    row("world built in", time.perf_counter() - start, "s")
    return counts


if __name__ == "__main__":
    main()

"""Allocation proposals at three scales: a kabupaten, a province, the nation solved Polres by Polres.

Kabupaten and province go through the service a user calls, `proposal_create` (read the stored need
and the free officers, build the flow network, solve, store the proposal), each in a world of its
own built from a region list shaped like Banten: 5 kabupaten of 326 desa per province.

    kabupaten  `bench_alloc_kab`   prefix 11.01: 326 desa, ~720 officers (Polsek, Polres HQ, BKO)
    province   `bench_alloc_prov`  prefix 11:  1,630 desa, ~3,600 officers

Every world carries issue 13's rules (bench/build_world.py): ~1 in 100 desa reached only by sea
(boat teams from each Polres's Sat Polairud), Brimob BKO with a reaction reserve, patrols of 2 per
kecamatan, and every officer the plan leaves free proposed for the reserve.

`proposal_create` has no scope below the operation, and the solver's network is dense (every unit
group × every village), so the nation (the world `bench`, 84,000 desa in 266 Polres) is read once
with the service's own readers and solved Polres by Polres with the same pure solver: each Polres
gets its Polsek, its HQ and a share of its province's BKO pool in proportion to its need.

    python bench/bench_allocation.py --db sqlite [--repeat 5] [--skip-nation]

Worlds that do not exist yet are built first (bench/build_world.py; the nation must be built by hand).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench_ranking import world_exists
from common import machine_note, row, setup_django

HERE = Path(__file__).resolve().parent
REGIONS = {"desa": 38 * 5 * 326, "kabupaten_per_province": 5}
WORLDS = {"kabupaten": ("bench_alloc_kab", "11.01"), "province": ("bench_alloc_prov", "11")}
TARGET_MS = {"kabupaten": 50, "province": 500, "nation": 5000}
FLOOR_MS = {"kabupaten": 3.5, "province": 86, "nation": 450}  # OR-Tools min-cost flow alone


def _bench_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="bench")[0]


def _lone_villages(outcomes) -> int:
    """Villages that would end up with exactly one officer (locked plus proposed): the pairs rule."""
    return sum(1 for v in outcomes if v.locked + v.added == 1)


def measure_service(repeat: int) -> dict:
    """proposal_create on the only operation of a kabupaten or province world, rolled back each time."""
    from django.db import transaction

    from operations.models import Operation, ProposalItem, VillageStanding
    from operations.services.proposals import proposal_create

    operation = Operation.objects.get()
    user = _bench_user()
    samples, cpu, timings = [], [], []
    for _ in range(repeat + 1):
        with transaction.atomic():
            started, cpu_started = time.perf_counter(), time.process_time()
            proposal = proposal_create(operation=operation, by=user)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            timings.append(proposal.summary["timing_ms"])
            summary = proposal.summary
            items = ProposalItem.objects.filter(proposal=proposal)
            per_village = Counter(
                items.filter(village_election__isnull=False).values_list("village_election_id", flat=True)
            )
            duties = Counter(items.values_list("duty", flat=True))
            existing = {v["village_election_id"]: v["existing"] for v in summary["villages"]}
            lone = sum(1 for village, n in per_village.items() if n + existing.get(village, 0) == 1)
            transaction.set_rollback(True)
    # The first call warms caches and imports.
    samples, cpu, timings = samples[1:], cpu[1:], timings[1:]
    standings = VillageStanding.objects.filter(operation=operation)
    return {
        "villages": standings.count(),
        "need": sum(standings.values_list("required_personnel", flat=True)),
        "free_officers": summary["free_officers"],
        "proposed": summary["proposed_officers"],
        "shortfall": proposal.total_shortfall,
        "shortfall_by_level": summary["shortfall_by_level"],
        "optimal": summary["optimal"],
        "lone_villages": lone,
        **_rules(summary, duties),
        "total_ms": statistics.median(samples),
        "cpu_ms": statistics.median(cpu),
        "read_ms": statistics.median(t["read"] for t in timings),
        "build_ms": statistics.median(t["build"] for t in timings),
        "solve_ms": statistics.median(t["solve"] for t in timings),
    }


def _rules(summary: dict, duties: Counter) -> dict:
    """What issue 13's rules did in the proposal: boat teams, the reserve, the patrols."""
    sea = [v for v in summary["villages"] if v["sea_access_only"]]
    return {
        "sea_villages": len(sea),
        "boat_team": sum(v["boat_team"] for v in sea),
        "boat_unmet": summary["boat_unmet"],
        "reaction_reserve": len(summary["reserve"]["officer_ids"]),
        "reaction_unmet": summary["reserve"]["unmet"],
        "reserve": duties.get("reserve", 0),
        "patrol": duties.get("patrol", 0),
        "patrol_shortfall": summary["patrol_shortfall"],
    }


def _kabupaten_of_groups(groups, kabupaten_of_village: dict[int, str]) -> dict[int, str | None]:
    """The kabupaten of each unit group: a Polsek's from its area, a Polres HQ's from its Polsek."""
    from operations.models import Unit

    units = {pk: (kind, parent) for pk, kind, parent in Unit.objects.values_list("pk", "kind", "parent_id")}
    found: dict[int, str | None] = {}
    for group in groups:
        if group.allowed_village_ids:
            found[group.unit_id] = kabupaten_of_village[next(iter(group.allowed_village_ids))]
    for unit_id, (kind, parent) in units.items():
        if kind == Unit.Kind.POLSEK and unit_id in found and parent is not None:
            found.setdefault(parent, found[unit_id])
    # Units under a Polres (its Sat Polairud) serve its kabupaten.
    for unit_id, (kind, parent) in units.items():
        if kind != Unit.Kind.POLSEK and parent in found:
            found.setdefault(unit_id, found[parent])
    return {g.unit_id: found.get(g.unit_id) for g in groups}


def _share(officer_ids: tuple[int, ...], weights: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Split a BKO pool over kabupaten in proportion to their need (largest remainder)."""
    total = sum(weights.values()) or 1
    exact = {k: len(officer_ids) * w / total for k, w in weights.items()}
    counts = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[
        : len(officer_ids) - sum(counts.values())
    ]:
        counts[k] += 1
    shares, start = {}, 0
    for k in sorted(counts):
        shares[k] = officer_ids[start : start + counts[k]]
        start += counts[k]
    return shares


def measure_nation() -> dict:
    """Read the national operation once with the service's readers, solve each Polres apart."""
    from dataclasses import replace

    from operations.allocation.solver import BRIMOB, PatrolDemand, VillageDemand, allocate
    from operations.models import Operation, Stage, Unit
    from operations.services.proposals import (
        _coordinate,
        _demand,
        _read_groups,
        _read_patrols,
        _read_villages,
    )
    from villages.models import Kecamatan

    operation = Operation.objects.filter(name__startswith="Ops bench").latest("pk")
    cpu_started = time.process_time()
    started = time.perf_counter()
    villages = _read_villages(operation=operation, stage=Stage.VOTING)
    groups, free_count, _in_reserve = _read_groups(
        operation=operation, stage=Stage.VOTING, exclude_bko=False, villages=villages
    )
    patrols = _read_patrols(operation=operation, stage=Stage.VOTING)
    read_ms = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    kabupaten_of_kecamatan = {pk: code[:5] for pk, code in Kecamatan.objects.values_list("pk", "code")}
    kabupaten_of_village = {
        v["village_election_id"]: kabupaten_of_kecamatan[v["kecamatan_id"]] for v in villages
    }
    port = (_coordinate(operation.sea_port_latitude), _coordinate(operation.sea_port_longitude))
    demands: dict[str, list[VillageDemand]] = defaultdict(list)
    for v in villages:
        demands[kabupaten_of_village[v["village_election_id"]]].append(_demand(v, port))
    patrols_of: dict[str, list[PatrolDemand]] = defaultdict(list)
    for p in patrols:
        patrols_of[kabupaten_of_kecamatan[p["kecamatan_id"]]].append(p["demand"])
    need_of_kabupaten = {k: sum(d.need for d in ds) for k, ds in demands.items()}
    # The operation's reaction reserve, shared over the Polres like the Brimob pool: by need.
    reserve_shares = _share(tuple(range(operation.reaction_reserve)), need_of_kabupaten)
    reserve_of = {k: len(ids) for k, ids in reserve_shares.items()}
    kabupaten_of_group = _kabupaten_of_groups(groups, kabupaten_of_village)
    bko_province = {
        pk: name.rsplit(" ", 1)[-1]
        for pk, name in Unit.objects.filter(supplies_bko=True).values_list("pk", "name")
    }
    supply: dict[str, list] = defaultdict(list)
    for group in groups:
        if kabupaten_of_group[group.unit_id] is not None:
            supply[kabupaten_of_group[group.unit_id]].append(group)
        elif group.unit_id in bko_province:
            province = bko_province[group.unit_id]
            weights = {k: n for k, n in need_of_kabupaten.items() if k.startswith(province + ".")}
            for kabupaten, officer_ids in _share(group.officer_ids, weights).items():
                supply[kabupaten].append(replace(group, officer_ids=officer_ids))
    partition_ms = (time.perf_counter() - started) * 1000

    build, solve, per_polres, lone, optimal = [], [], [], 0, 0
    shortfall: Counter[int] = Counter()
    proposed = 0
    rules: Counter[str] = Counter()
    for kabupaten in sorted(demands):
        started = time.perf_counter()
        brimob_here = sum(len(g.officer_ids) for g in supply[kabupaten] if g.capability == BRIMOB)
        result = allocate(
            groups=supply[kabupaten],
            villages=demands[kabupaten],
            reserve_need=min(reserve_of.get(kabupaten, 0), brimob_here),
            patrols=patrols_of[kabupaten],
        )
        per_polres.append((time.perf_counter() - started) * 1000)
        build.append(result.build_seconds * 1000)
        solve.append(result.solve_seconds * 1000)
        lone += _lone_villages(result.villages)
        optimal += result.optimal
        shortfall.update(result.unmet_by_level)
        proposed += len(result.placements)
        free = sum(len(g.officer_ids) for g in supply[kabupaten])
        sea = [v for v in result.villages if v.sea_access_only]
        rules.update(
            sea_villages=len(sea),
            boat_team=sum(v.boat_team for v in sea),
            boat_unmet=result.boat_unmet,
            reaction_reserve=len(result.reserve_officer_ids),
            reaction_unmet=result.reserve_unmet,
            reserve=free - len(result.placements),
            patrol=sum(p.added for p in result.patrols),
            patrol_shortfall=result.patrol_unmet,
        )
    return {
        "villages": len(villages),
        "polres": len(demands),
        "need": sum(need_of_kabupaten.values()),
        "free_officers": free_count,
        "proposed": proposed,
        "shortfall": sum(shortfall.values()),
        "shortfall_by_level": {str(k): v for k, v in sorted(shortfall.items())},
        "optimal_polres": optimal,
        "lone_villages": lone,
        **{key: rules[key] for key in sorted(rules)},
        "read_ms": read_ms,
        "partition_ms": partition_ms,
        "build_ms": sum(build),
        "solve_ms": sum(solve),
        "solver_ms": sum(per_polres),
        "slowest_polres_ms": max(per_polres),
        "total_ms": read_ms + partition_ms + sum(per_polres),
        "cpu_ms": (time.process_time() - cpu_started) * 1000,
    }


def report(scale: str, f: dict) -> None:
    print(
        f"== allocation, {scale}: {f['villages']} villages, need {f['need']},"
        f" {f['free_officers']} free officers"
    )
    print(
        f"   proposed {f['proposed']}, shortfall {f['shortfall']} (by level {f['shortfall_by_level']}),"
        f" villages with a lone officer {f['lone_villages']}"
        + (
            f", optimal {f['optimal']}"
            if "optimal" in f
            else f", proven optimal in {f['optimal_polres']} of {f['polres']} Polres"
        )
    )
    print(
        f"   rules: {f['sea_villages']} sea villages, boat crew {f['boat_team']} (unmet {f['boat_unmet']}),"
        f" Brimob reaction reserve {f['reaction_reserve']} (unmet {f['reaction_unmet']}),"
        f" patrol {f['patrol']} (short {f['patrol_shortfall']}), reserve {f['reserve']}"
    )
    if scale == "nation":
        row("read (service readers, whole nation, ms)", f["read_ms"], "ms")
        row("split by Polres (ms)", f["partition_ms"], "ms")
        row(f"build, sum over {f['polres']} Polres (ms)", f["build_ms"], "ms")
        row(f"solve, sum over {f['polres']} Polres (ms)", f["solve_ms"], "ms", floor=FLOOR_MS[scale])
        row("slowest Polres, build + solve + name officers (ms)", f["slowest_polres_ms"], "ms")
        row(
            "nation Polres by Polres, read + split + solve (ms)",
            f["total_ms"],
            "ms",
            TARGET_MS[scale],
            FLOOR_MS[scale],
        )
        row("— its CPU time (SQLite: the database work too)", f["cpu_ms"], "ms", TARGET_MS[scale])
        return
    row("read (ms)", f["read_ms"], "ms")
    row("build the network (ms)", f["build_ms"], "ms")
    row("solve incl. pairs repair (ms)", f["solve_ms"], "ms", floor=FLOOR_MS[scale])
    row(
        f"{scale}: read + build + solve (ms)",
        f["read_ms"] + f["build_ms"] + f["solve_ms"],
        "ms",
        TARGET_MS[scale],
        FLOOR_MS[scale],
    )
    row(
        f"{scale}: whole proposal_create incl. storing it (ms)",
        f["total_ms"],
        "ms",
        TARGET_MS[scale],
        FLOOR_MS[scale],
    )
    # On a shared machine the wall time counts the waits for a core; the CPU time does not.
    row("— its CPU time (SQLite: the database work too)", f["cpu_ms"], "ms", TARGET_MS[scale])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-nation", action="store_true")
    parser.add_argument("--scale", choices=["kabupaten", "province", "nation"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scale:  # one world per process: Django is set up once
        name = "bench" if args.scale == "nation" else WORLDS[args.scale][0]
        setup_django(args.db, name=name)
        figures = measure_nation() if args.scale == "nation" else measure_service(args.repeat)
        print(json.dumps(figures))
        return

    scales = ["kabupaten", "province"] + ([] if args.skip_nation else ["nation"])
    for scale in scales:
        if scale in WORLDS and not world_exists(args.db, WORLDS[scale][0]):
            name, prefix = WORLDS[scale]
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "build_world.py"),
                    "--db",
                    args.db,
                    "--prefix",
                    prefix,
                    "--name",
                    name,
                ]
                + [
                    "--desa",
                    str(REGIONS["desa"]),
                    "--kabupaten-per-province",
                    str(REGIONS["kabupaten_per_province"]),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        measured = subprocess.run(
            [sys.executable, __file__, "--db", args.db, "--scale", scale, "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
        )
        if measured.returncode:
            sys.exit(f"measuring the {scale} failed:\n{measured.stderr}")
        report(scale, json.loads(measured.stdout.strip().splitlines()[-1]))
        machine_note()


if __name__ == "__main__":
    main()

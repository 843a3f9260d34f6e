"""The whole nation's election day for bench_election_day_national.py --nation.

84,000 villages in 266 Polres: each Polres its own election (a kabupaten's Pilkades) and its own
operation with its stage windows, ~316 villages and ~695 voting-day postings, all in one database.
The replay runs every write of the day through the services, in ``processes`` processes (each takes
every P-th operation), stage by stage across all of them, as the day goes: every posting arrives
(185,000 check-ins), then each of the seven stages moves every village (588,000 steps) with 5,000
incidents among them. After each stage the first process times one Polres's board and Lapsit while
the others keep writing.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import sys
import threading
import time
import traceback

from common import gather_statistics
from election_day_replay import STAGES, DayTally, print_checkpoints

NATION_VILLAGES = 84_000
NATION_CHECKINS = 185_000
NATION_INCIDENTS = 5_000
POLRES = 266
PREFIX = "Simulasi Nasional"


def build(polres: int, villages: int, checkins: int) -> list[int]:
    """``polres`` operations of ``villages`` villages each and ``checkins`` postings spread over them
    (bulk: set-up, not measured); their ids. Built once per database."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from election_day.models import StageWindow
    from operations.demo import OPERATION_NAME
    from operations.models import Assignment, Duty, Officer, Operation, Stage
    from operations.ranks import Pangkat
    from operations.services.standings import standings_refresh
    from villages.models import Desa, Election, Kecamatan, VillageElection

    if not Operation.objects.filter(name=OPERATION_NAME).exists():
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_hari_h", stdout=io.StringIO())
    built = list(
        Operation.objects.filter(name__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    if len(built) == polres:
        return built
    if built:
        raise SystemExit(f"{len(built)} Polres built before, {polres} asked: use --fresh")
    demo = Operation.objects.get(name=OPERATION_NAME)
    kabag = get_user_model().objects.get(username="kabagops")
    windows = list(StageWindow.objects.filter(operation=demo))
    postings = list(
        Assignment.objects.filter(operation=demo, stage=Stage.VOTING)
        .exclude(village_election=None)
        .select_related("village_election__desa", "officer")
    )
    # Each Polres its own kabupaten of four kecamatan (codes 90.01.01 on, unused by Kemendagri); unit
    # and Polsek of the postings copied from the demo's postings in turn.
    like = list(Kecamatan.objects.order_by("code"))
    per_polres = math.ceil(checkins / polres)
    ids = []
    started = time.perf_counter()
    for index in range(polres):
        with transaction.atomic():
            election = Election.objects.create(
                name=f"Pilkades {PREFIX} {index + 1}", voting_day=demo.election.voting_day
            )
            operation = Operation.objects.get(pk=demo.pk)
            operation.pk = None
            operation.name = f"{PREFIX} Polres {index + 1}"
            operation.election = election
            operation.save()
            StageWindow.objects.bulk_create(
                StageWindow(operation=operation, stage=w.stage, starts_at=w.starts_at, ends_at=w.ends_at)
                for w in windows
            )
            kabupaten = f"{90 + index // 99}.{index % 99 + 1:02d}"
            kecamatan = Kecamatan.objects.bulk_create(
                Kecamatan(
                    code=f"{kabupaten}.{k + 1:02d}",
                    name=f"Kecamatan Simulasi {index + 1}-{k + 1}",
                    kabupaten_name=f"Kabupaten Simulasi {index + 1}",
                    latitude=like[k % len(like)].latitude,
                    longitude=like[k % len(like)].longitude,
                )
                for k in range(4)
            )
            desa = Desa.objects.bulk_create(
                Desa(
                    code=f"{kecamatan[n % 4].code}.{5001 + n // 4:04d}",
                    name=f"Desa Simulasi {index + 1}-{n + 1}",
                    kecamatan=kecamatan[n % 4],
                    latitude=postings[n % len(postings)].village_election.desa.latitude,
                    longitude=postings[n % len(postings)].village_election.desa.longitude,
                )
                for n in range(villages)
            )
            every = VillageElection.objects.bulk_create(
                VillageElection(election=election, desa=d, tps_count=4, registered_voters=3000) for d in desa
            )
            officers = Officer.objects.bulk_create(
                Officer(
                    nrp=f"7{index * per_polres + n:07d}",
                    name=f"Personel Simulasi {index * per_polres + n}",
                    rank=Pangkat.BRIPDA,
                    unit=postings[n % len(postings)].officer.unit,
                )
                for n in range(per_polres)
            )
            Assignment.objects.bulk_create(
                Assignment(
                    operation=operation,
                    officer=officer,
                    stage=Stage.VOTING,
                    duty=Duty.VILLAGE_GUARD,
                    village_election=every[n % villages],
                    desa=every[n % villages].desa,
                    officer_polsek=postings[n % len(postings)].officer_polsek,
                    area_polsek=postings[n % len(postings)].area_polsek,
                    assigned_by=kabag,
                )
                for n, officer in enumerate(officers)
            )
            standings_refresh(operation=operation)
        ids.append(operation.pk)
        if (index + 1) % 25 == 0:
            seconds = time.perf_counter() - started
            print(f"   built {index + 1}/{polres} Polres in {seconds:.0f} s", flush=True)
    gather_statistics()
    return ids


def _replay(task: tuple[int, list[int], int, int]) -> dict:
    """One process's share of the day, its failure printed at once: the pool reports it only when
    every other process has finished, half an hour later."""
    try:
        return _replay_share(task)
    except BaseException:
        print(f"   process {task[0]} failed:", flush=True)
        traceback.print_exc()
        sys.stderr.flush()
        raise


def _replay_share(task: tuple[int, list[int], int, int]) -> dict:
    """Every write of the share's operations, stage by stage."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from election_day.models import CheckIn, IncidentCategory
    from operations.models import Assignment, Operation, Stage
    from villages.models import VillageElection

    number, operation_ids, incidents_due, repeat = task
    connection.close()  # a connection of its own, never the parent's
    kabag = get_user_model().objects.get(username="kabagops")
    category = IncidentCategory.objects.get(code="keributan")
    operations = list(Operation.objects.filter(pk__in=operation_ids).order_by("pk"))
    places = [
        (op, village)
        for op in operations
        for village in VillageElection.objects.filter(election_id=op.election_id).order_by("pk")
    ]
    tally = DayTally()
    watched = operations[0] if number == 0 else None
    if watched is not None:
        setup_test_environment()
        client = Client()
        client.force_login(kabag)
        tally.watch(kabag, watched)  # a wall screen of its own, asking while the day goes on

    def checkpoint() -> None:
        if watched is not None:
            tally.checkpoint(client, watched, repeat)

    started_all = time.perf_counter()
    for operation in operations:
        postings = Assignment.objects.filter(operation=operation, stage=Stage.VOTING)
        tally.check_in(postings, kind=CheckIn.Kind.ARRIVED, by=kabag)
    checkpoint()
    every = max(1, len(places) * len(STAGES) // max(incidents_due, 1))
    for stage in STAGES:
        tally.move(places, stage=stage, by=kabag, category=category, every=every, incidents_due=incidents_due)
        checkpoint()
        if number == 0:
            seconds = time.perf_counter() - started_all
            print(f"   stage {stage}: process 0 done with its Polres at {seconds:.0f} s", flush=True)
    connection.close()
    wall = time.perf_counter() - started_all
    tally.watch(None, None)  # the wall's test client does not cross back to the parent process
    return {"tally": tally, "wall": wall, "watched": watched.pk if watched else None}


def replay(operation_ids: list[int], processes: int, incidents: int, repeat: int) -> list[dict]:
    from django.db import connections

    connections.close_all()  # the children fork: none may share the parent's socket
    shares = [operation_ids[k::processes] for k in range(processes)]
    # Incidents spread in proportion to each share's operations.
    due = [round(incidents * len(share) / len(operation_ids)) for share in shares]
    tasks = [(k, shares[k], due[k], repeat) for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        stop = threading.Event()
        # Started after the fork: its connection is the parent's own.
        keeper = threading.Thread(target=_autovacuum_stand_in, args=(stop,), daemon=True)
        keeper.start()
        try:
            return pool.map(_replay, tasks)
        finally:
            stop.set()
            keeper.join()


AUTOVACUUM_NAPTIME = 60.0


def _autovacuum_stand_in(stop: threading.Event) -> None:
    """What a server's autovacuum does during the day, which this machine kind's PostgreSQL runs
    without: the day's tables vacuumed and their statistics gathered again every minute (its
    naptime; each crosses its thresholds, 20 % of rows dead and 10 % changed, within one), so the
    plans see the day's rows as in production (README, Production: keep autovacuum on)."""
    from django.db import connection

    from election_day.models import CheckIn, Incident, ProgressStep, VillageProgress

    tables = [
        connection.ops.quote_name(m._meta.db_table)
        for m in (CheckIn, VillageProgress, ProgressStep, Incident)
    ]
    try:
        while not stop.wait(AUTOVACUUM_NAPTIME):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
            print(f"   autovacuum stand-in: {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        connection.close()


def report(results: list[dict], wall: float, row) -> None:
    from election_day.models import CheckIn, Incident, ProgressStep
    from operations.models import Operation

    tallies = [r["tally"] for r in results]
    done = {k: sum(t.done[k] for t in tallies) for k in ("checkin", "progress", "incident")}
    writes = sum(done.values())
    print(
        f"   replayed {writes:,} writes ({done['checkin']:,} check-ins, {done['progress']:,} steps,"
        f" {done['incident']:,} incidents) in {wall / 60:.1f} min: {writes / wall:.0f} writes/s over"
        f" {len(results)} processes (board and Lapsit checkpoints included)"
    )
    print(
        f"   in the database: {CheckIn.objects.count():,} check-ins, {ProgressStep.objects.count():,} steps,"
        f" {Incident.objects.count():,} incidents"
    )
    errors = [e for t in tallies for e in t.errors]
    print_checkpoints(errors, tallies[0], Operation.objects.get(pk=results[0]["watched"]), row)

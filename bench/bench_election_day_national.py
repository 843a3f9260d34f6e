"""A national election day replayed in compressed time, one Polres at a time: a measured slice and
the national figure extrapolated from it.

The nation's figures in the issue: 84,000 villages × 7 progress steps, 185,000 check-ins and 5,000
incidents. A Posko board and its Lapsit belong to one operation (one Polres: 84,000 villages in 266
Polres, ~316 villages each), so their size does not grow with the nation; what grows is the number
of writes the shared database takes. This script builds one Polres-sized operation on top of the
Serang demo (``--villages`` villages, default 316, with ``--per-village`` voting-day postings each,
default 2.2: the nation's 185,000 check-ins over 84,000 villages, one arrival per officer), then
replays its day through the services, in process and in one thread, as fast as they go:

    every posting checks in (``checkin_record``), then each of the seven stages moves every village
    (``progress_record``) with the national share of incidents (5,000 / 84,000 per village) reported
    along the way (``incident_report``, without photos: their cost is the load benchmark's), then
    every posting ends its duty

After every stage it times the board (``selectors.board`` through the API view, 200 after a change
and 304) and the Lapsit (JSON data and chat text, and the PDF once at the end); while the writes go
on, a wall screen asks for the board every 4 s (If-None-Match) and each answer is timed too. It prints the
errors (none expected), the write rates, and the national replay time those rates imply.

    python bench/bench_election_day_national.py [--fresh] [--villages 316] [--name h14_nat]

With ``--nation`` the whole day is replayed instead: 266 Polres of 316 villages each (84,056
villages, 185,000 postings, 5,000 incidents) in one database, by ``--processes`` processes
(bench/election_day_nation.py):

    python bench/bench_election_day_national.py --nation [--processes 2] [--fresh] [--name h14_nation]
"""

from __future__ import annotations

import argparse
import io
import math
import time

from common import gather_statistics, machine_note, row, setup_django
from election_day_replay import STAGES, DayTally, print_checkpoints

NATION_VILLAGES = 84_000
NATION_CHECKINS = 185_000
NATION_INCIDENTS = 5_000


def build(villages: int, per_village: float):
    """The demo, topped up to ``villages`` villages with postings (bulk: set-up, not measured)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from operations.demo import OPERATION_NAME
    from operations.models import Assignment, Duty, Officer, Operation, Stage
    from operations.ranks import Pangkat
    from operations.services.standings import standings_refresh
    from villages.models import Desa, VillageElection

    if not Operation.objects.filter(name=OPERATION_NAME).exists():
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_hari_h", stdout=io.StringIO())
    operation = Operation.objects.get(name=OPERATION_NAME)
    kabag = get_user_model().objects.get(username="kabagops")
    demo = list(VillageElection.objects.filter(election=operation.election).select_related("desa"))
    with transaction.atomic():
        have = VillageElection.objects.filter(election=operation.election).count()
        if have < villages:
            desa = Desa.objects.bulk_create(
                Desa(
                    code=f"{demo[n % len(demo)].desa.kecamatan.code}.{5000 + n:04d}",
                    name=f"Desa Simulasi {n}",
                    kecamatan=demo[n % len(demo)].desa.kecamatan,
                    latitude=demo[n % len(demo)].desa.latitude,
                    longitude=demo[n % len(demo)].desa.longitude,
                )
                for n in range(have, villages)
            )
            VillageElection.objects.bulk_create(
                VillageElection(election=operation.election, desa=d, tps_count=4, registered_voters=3000)
                for d in desa
            )
            standings_refresh(operation=operation)
        model = {
            a.village_election.desa.kecamatan_id: a
            for a in Assignment.objects.filter(operation=operation, stage=Stage.VOTING)
            .exclude(village_election=None)
            .select_related("village_election__desa", "officer")
        }
        every = list(VillageElection.objects.filter(election=operation.election).select_related("desa"))
        wanted = math.ceil(villages * per_village)
        posted = Assignment.objects.filter(operation=operation, stage=Stage.VOTING).count()
        if posted < wanted:
            count = wanted - posted
            start = Officer.objects.filter(nrp__startswith="6").count()
            officers = Officer.objects.bulk_create(
                Officer(
                    nrp=f"6{start + n:07d}",
                    name=f"Personel Simulasi {start + n}",
                    rank=Pangkat.BRIPDA,
                    unit=model[every[n % len(every)].desa.kecamatan_id].officer.unit,
                )
                for n in range(count)
            )
            Assignment.objects.bulk_create(
                Assignment(
                    operation=operation,
                    officer=officer,
                    stage=Stage.VOTING,
                    duty=Duty.VILLAGE_GUARD,
                    village_election=every[n % len(every)],
                    desa=every[n % len(every)].desa,
                    officer_polsek=model[every[n % len(every)].desa.kecamatan_id].officer_polsek,
                    area_polsek=model[every[n % len(every)].desa.kecamatan_id].area_polsek,
                    assigned_by=kabag,
                )
                for n, officer in enumerate(officers)
            )
    gather_statistics()
    return operation, kabag


def clear_day(operation) -> None:
    from election_day.models import CheckIn, Incident, ProgressStep, VillageProgress

    CheckIn.objects.filter(operation=operation).delete()
    ProgressStep.objects.filter(operation=operation).delete()
    VillageProgress.objects.filter(operation=operation).delete()
    for incident in Incident.objects.filter(operation=operation, idempotency_key__isnull=False).filter(
        description__startswith="Simulasi"
    ):
        incident.dispatches.all().delete()
        incident.photos.all().delete()
        incident.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="h14_nat", help="database pilkades_<name>")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--villages", type=int, default=316, help="villages of the Polres replayed")
    parser.add_argument("--per-village", type=float, default=2.2, help="voting-day postings per village")
    parser.add_argument("--repeat", type=int, default=10, help="board requests timed per checkpoint")
    parser.add_argument("--nation", action="store_true", help="replay the whole nation (266 Polres)")
    parser.add_argument("--processes", type=int, default=2, help="replaying processes (--nation)")
    parser.add_argument(
        "--polres", type=int, default=266, help="Polres of the nation (--nation; fewer: a trial)"
    )
    args = parser.parse_args()
    if args.nation:
        nation(args)
        return
    setup_django("postgres", fresh=args.fresh, name=args.name)

    from django.test import Client
    from django.test.utils import setup_test_environment

    from election_day.models import CheckIn, IncidentCategory
    from operations.models import Assignment, Stage
    from villages.models import VillageElection

    operation, kabag = build(args.villages, args.per_village)
    clear_day(operation)
    villages = list(VillageElection.objects.filter(election=operation.election).select_related("desa"))
    postings = list(
        Assignment.objects.filter(operation=operation, stage=Stage.VOTING).select_related("operation")
    )
    category = IncidentCategory.objects.get(code="keributan")
    incidents_due = max(1, round(len(villages) * NATION_INCIDENTS / NATION_VILLAGES))
    print(
        f"== National election day, one Polres replayed: {len(villages)} villages, {len(postings)} voting"
        f" postings, {incidents_due} incidents (the national share); PostgreSQL, in process, one thread"
    )
    machine_note()
    setup_test_environment()
    client = Client()
    client.force_login(kabag)
    tally = DayTally()
    tally.watch(kabag, operation)  # a wall screen of its own, asking while the day goes on

    started_all = time.perf_counter()
    tally.check_in(postings, kind=CheckIn.Kind.ARRIVED, by=kabag)
    tally.checkpoint(client, operation, args.repeat)
    every = max(1, len(villages) * len(STAGES) // incidents_due)
    for stage in STAGES:
        places = [(operation, village) for village in villages]
        tally.move(places, stage=stage, by=kabag, category=category, every=every, incidents_due=incidents_due)
        tally.checkpoint(client, operation, args.repeat)
    tally.check_in(postings, kind=CheckIn.Kind.FINISHED, by=kabag)
    tally.checkpoint(client, operation, args.repeat)
    wall = time.perf_counter() - started_all

    spent, done = tally.spent, tally.done
    print(f"   replayed {sum(done.values())} writes in {wall:.1f} s (board and Lapsit checkpoints included)")
    machine_note()
    for kind in ("checkin", "progress", "incident"):
        if done[kind]:
            row(f"{kind} writes per second (service, 1 thread)", done[kind] / spent[kind], "/s")
    print_checkpoints(tally.errors, tally, operation, row)
    # The nation: every Polres the same; the database takes all of them.
    per_write = (spent["checkin"] + spent["progress"]) / max(done["checkin"] + done["progress"], 1)
    per_incident = spent["incident"] / max(done["incident"], 1)
    national = (NATION_VILLAGES * len(STAGES) + NATION_CHECKINS) * per_write + NATION_INCIDENTS * per_incident
    print(
        f"   nation by extrapolation: {NATION_VILLAGES:,} villages × {len(STAGES)} steps"
        f" + {NATION_CHECKINS:,} check-ins + {NATION_INCIDENTS:,} incidents"
        f" = {national / 60:.0f} min of one thread at these rates"
        f" ({NATION_VILLAGES / len(villages):.0f} Polres like this one);"
        " each board and Lapsit stays the size measured here"
    )


def nation(args) -> None:
    import election_day_nation as nation_day

    name = args.name if args.name != "h14_nat" else "h14_nation"
    setup_django("postgres", fresh=args.fresh, name=name)
    started = time.perf_counter()
    villages = math.ceil(NATION_VILLAGES / nation_day.POLRES)
    share = args.polres / nation_day.POLRES
    operation_ids = nation_day.build(args.polres, villages, round(NATION_CHECKINS * share))
    print(f"== National election day, whole: {len(operation_ids)} Polres × {villages} villages;"
          f" world ready in {time.perf_counter() - started:.0f} s; PostgreSQL, in process,"
          f" {args.processes} processes")  # fmt: skip
    machine_note()
    started = time.perf_counter()
    results = nation_day.replay(operation_ids, args.processes, round(NATION_INCIDENTS * share), args.repeat)
    wall = time.perf_counter() - started
    machine_note()
    nation_day.report(results, wall, row)


if __name__ == "__main__":
    main()

"""Election day in process: check-in and progress writes per second, the Posko board's 304 and refresh.

The world is the Serang demo with its election day (``load_demo`` then ``load_demo_hari_h``:
~140 postings, 15 villages). Writes go through the services a phone's request calls
(``checkin_record``, ``progress_record``), one transaction each, in one process and one thread: the
app's own cost per write, without HTTP, gunicorn or concurrency (the issue's figure, PostgreSQL
behind gunicorn with 20 clients, is bench_election_day_load.py's). The board is read
through Django's test Client as the Kabag Ops, with the production middleware:

    304   GET /api/v1/operations/<id>/board/ with If-None-Match of the current ETag
    200   the same after a write bumped the board's version (the stamp changes, the board is rebuilt)

    python bench/bench_election_day.py --db sqlite|postgres [--rounds 5] [--repeat 200] [--name bench_hari_h]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import uuid

from common import machine_note, row, setup_django

TARGET_WRITES_S = 400
TARGET_304_MS = 3
TARGET_CHANGED_MS = 30


def _world():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from operations.demo import OPERATION_NAME
    from operations.models import Operation

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_hari_h", stdout=io.StringIO())
    kabag = get_user_model().objects.get(username="kabagops")
    return Operation.objects.get(name=OPERATION_NAME), kabag


def checkin_writes(operation, kabag, rounds: int) -> tuple[float, int]:
    """Arrival then end of duty for every voting posting; the check-ins are removed between rounds."""
    from election_day.models import CheckIn
    from election_day.services.checkins import checkin_record
    from operations.models import Assignment, Stage

    postings = list(
        Assignment.objects.filter(operation=operation, stage=Stage.VOTING).select_related("operation")
    )
    rates, writes = [], 0
    for _ in range(rounds):
        CheckIn.objects.filter(operation=operation).delete()
        started = time.perf_counter()
        for kind in (CheckIn.Kind.ARRIVED, CheckIn.Kind.FINISHED):
            for posting in postings:
                checkin_record(assignment=posting, kind=kind, by=kabag, idempotency_key=uuid.uuid4())
        elapsed = time.perf_counter() - started
        writes = 2 * len(postings)
        rates.append(writes / elapsed)
    return statistics.median(rates), writes


def progress_writes(operation, by, rounds: int) -> tuple[float, int]:
    """Every village (of the whole election: the Kabag Ops) through the seven stages of the day;
    the steps are removed between rounds."""
    from election_day.models import MARKS, ProgressStage, ProgressStep, VillageProgress
    from election_day.services.progress import progress_record
    from villages.models import VillageElection

    villages = list(VillageElection.objects.filter(election_id=operation.election_id).select_related("desa"))
    stages = [s for s in ProgressStage if s not in MARKS]
    rates, writes = [], 0
    for _ in range(rounds):
        ProgressStep.objects.filter(operation=operation).delete()
        VillageProgress.objects.filter(operation=operation).delete()
        started = time.perf_counter()
        for stage in stages:
            for village in villages:
                progress_record(
                    operation=operation,
                    village_election=village,
                    stage=stage,
                    by=by,
                    idempotency_key=uuid.uuid4(),
                )
        elapsed = time.perf_counter() - started
        writes = len(stages) * len(villages)
        rates.append(writes / elapsed)
    return statistics.median(rates), writes


def board_times(operation, kabag, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    """304s, then the board after a bump of every part (a rebuild from nothing but the cache of
    other operations) and after a bump of each part alone (what one kind of write causes)."""
    from django.test import Client

    from election_day.services.common import BOARD_PARTS, board_changed

    client = Client()
    client.force_login(kabag)
    url = f"/api/v1/operations/{operation.pk}/board/"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    etag = first["ETag"]
    unchanged = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        unchanged.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304, response.status_code
    changed: dict[str, list[float]] = {}
    for label, parts in [("every part", BOARD_PARTS), *((part, (part,)) for part in BOARD_PARTS)]:
        for _ in range(max(repeat // 4, 20)):
            board_changed(operation_id=operation.pk, parts=parts)  # what a writer of these parts does
            started = time.perf_counter()
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
            changed.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            etag = response["ETag"]
    return unchanged, changed


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5, help="write rounds (median reported)")
    parser.add_argument("--repeat", type=int, default=200, help="board requests timed")
    parser.add_argument("--name", default="bench_hari_h", help="database pilkades_<name> (or <name>.sqlite3)")
    args = parser.parse_args()
    setup_django(args.db, fresh=True, name=args.name)
    operation, kabag = _world()
    print(f"Election day, {args.db}: {operation.name}")
    machine_note()
    rate, n = checkin_writes(operation, kabag, args.rounds)
    print(f"   check-ins: {n} per round (arrival and end of duty of every voting posting)")
    row("check-in writes per second (service, 1 thread)", rate, "/s")
    rate_p, n_p = progress_writes(operation, kabag, args.rounds)
    print(f"   progress: {n_p} steps per round")
    row("progress writes per second (service, 1 thread)", rate_p, "/s")
    print(f"   targets: ≥ {TARGET_WRITES_S} writes/s (PostgreSQL, gunicorn 2 workers, 20 clients)")
    unchanged, changed = board_times(operation, kabag, args.repeat)
    row("board unchanged: 304, median", statistics.median(unchanged), "ms", TARGET_304_MS)
    row("board unchanged: 304, p95", _p95(unchanged), "ms", TARGET_304_MS)
    for label, samples in changed.items():
        row(
            f"board after a change of {label}: 200, median",
            statistics.median(samples),
            "ms",
            TARGET_CHANGED_MS,
        )
        row(f"board after a change of {label}: 200, p95", _p95(samples), "ms", TARGET_CHANGED_MS)


if __name__ == "__main__":
    main()

"""Election day under load: the Hari-H API behind gunicorn (2 sync workers), 20 concurrent phones.

The world is the Serang demo with its election day (``load_demo``, ``load_demo_hari_h``: 16
villages, 142 postings) topped up with bench officers, each with a login, a person token and one
voting-day posting (``--per-client`` per client, 300 by default: 6,000 more postings). Clients are
threads of this script with ``requests`` (one Session each), every request authenticated by the
token of the officer who acts, as a phone would:

    writes     client i checks in its officers (arrival, then end of duty: POST /hari-h/checkins/)
               and, if a village is its own (16 of the 20), moves that village through the seven
               stages of the day (POST /hari-h/progress/, as the team leader posted there), one
               check-in and one step in turn; after "selesai" the village goes back to "TPS dibuka"
               with a reason (a repeat vote), so steps never run out
    incidents  every client reports incidents with one 200 KB JPEG (multipart POST /hari-h/incidents/)
    board      the Kabag Ops' board (GET /operations/<id>/board/): unchanged (If-None-Match of the
               current ETag: 304) by 20 clients, then after a change (a step, then the board: 200;
               a check-in, then the board: 200 — each rebuilds a different cached part)
    wall       field to wall: one client checks officers in at random moments while the other
               polls the board as the page does (every 4 s, If-None-Match); an event is seen when
               the board's "present" counter includes it; other clients move villages meanwhile
               (the ETag changes, the counter does not)

Server times come from the app's own request log (``duration_ms`` of pilkades.logs, gunicorn's
output), client times from this script; CPU per request is read from /proc for gunicorn's
processes and PostgreSQL's backends (the machine is shared: CPU per request varies much less than
wall time). The clients run on the same two cores as gunicorn and PostgreSQL: their own CPU is
printed too.

    python bench/bench_election_day_load.py [--fresh] [--duration 15] [--clients 20] [--events 100]

PostgreSQL only (database ``pilkades_<--name>``); Redis through REDIS_URL when set (the cache the
throttles and the board share between workers).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
from bench_load import cpu_snapshot, cpu_used, free_port, start_gunicorn, stop_gunicorn, worker_boots
from common import OUT, database_url, gather_statistics, machine_note, row, setup_django

TARGET_WRITES_S = 400
TARGET_INCIDENTS_S = 50
TARGET_304_MS = 3
TARGET_CHANGED_MS = 30
TARGET_WALL_S = 5
POLL_S = 4.0  # the board page's pollMs (election_day/pages.py)
PHOTO_BYTES = 200_000
STAGES = ["tps_open", "voting", "counting", "announced", "escort", "at_kecamatan", "done"]


@dataclass
class Client:
    index: int
    checkins: list[tuple[str, int, str]]  # (token, assignment id, kind), arrivals then ends of duty
    token: str  # its first officer's, for incidents (posted to the client's village)
    arrivals: list[tuple[str, int, str]]  # kept for the field-to-wall phase
    home: int  # the village its officers are posted to
    village: int | None = None  # the village this client moves, with its leader's token
    leader_token: str = ""
    stage: str = ""


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ok: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, response: requests.Response | None, seconds: float, expected: int) -> bool:
        good = response is not None and response.status_code == expected
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds * 1000)
            if good:
                self.ok[kind] = self.ok.get(kind, 0) + 1
            else:
                detail = "no answer" if response is None else f"{response.status_code} {response.text[:200]}"
                self.errors.append(f"{kind}: {detail}")
        return good


# --- the world --------------------------------------------------------------------------------------


def build_world(clients: int, per_client: int) -> dict:
    """Bench officers with logins and postings on top of the demo (written in bulk: set-up, not
    what is measured); a person token for each, and for the Kabag Ops."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from election_day.models import CheckIn, VillageProgress
    from operations.demo import OPERATION_NAME
    from operations.models import Assignment, Duty, Officer, Operation, Stage
    from operations.ranks import Pangkat
    from operations.services.tokens import person_token_create
    from villages.models import VillageElection

    User = get_user_model()
    if not Operation.objects.filter(name=OPERATION_NAME).exists():
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_hari_h", stdout=io.StringIO())
    operation = Operation.objects.get(name=OPERATION_NAME)
    kabag = User.objects.get(username="kabagops")
    villages = list(VillageElection.objects.filter(election=operation.election).order_by("pk"))
    # One demo posting per village gives the denormalised columns a bench posting copies.
    model_posting = {
        a.village_election_id: a
        for a in Assignment.objects.filter(
            operation=operation, stage=Stage.VOTING, village_election__isnull=False
        )
    }
    wanted = clients * per_client
    with transaction.atomic():
        have = User.objects.filter(username__startswith="bench-hh-").count()
        if have < wanted:
            users = User.objects.bulk_create(
                User(username=f"bench-hh-{n:05d}", password="!") for n in range(have, wanted)
            )
            officers = Officer.objects.bulk_create(
                Officer(
                    nrp=f"7{n:07d}",
                    name=f"Personel Uji Beban {n}",
                    rank=Pangkat.BRIPDA,
                    unit=model_posting[villages[(n // per_client) % len(villages)].pk].officer.unit,
                    user=user,
                )
                for n, user in zip(range(have, wanted), users, strict=True)
            )
            postings = []
            for n, officer in zip(range(have, wanted), officers, strict=True):
                village = villages[(n // per_client) % len(villages)]
                model = model_posting[village.pk]
                postings.append(
                    Assignment(
                        operation=operation,
                        officer=officer,
                        stage=Stage.VOTING,
                        duty=Duty.VILLAGE_GUARD,
                        village_election=village,
                        desa=model.desa,
                        officer_polsek=model.officer_polsek,
                        area_polsek=model.area_polsek,
                        assigned_by=kabag,
                    )
                )
            Assignment.objects.bulk_create(postings)
    bench_postings = list(
        Assignment.objects.filter(operation=operation, officer__user__username__startswith="bench-hh-")
        .select_related("officer__user")
        .order_by("officer__user__username")
    )
    tokens = {a.officer.user_id: person_token_create(user=a.officer.user).key for a in bench_postings}
    current = dict(
        VillageProgress.objects.filter(operation=operation).values_list("village_election_id", "stage")
    )
    CheckIn.objects.filter(operation=operation).delete()
    # Client i lives in village i mod V: it checks in a share of the officers posted there, reports
    # its incidents there, and the first client of each village moves it (one writer per village,
    # as one team leader per village: no two clients race for one village's next step).
    at: dict[int, list] = {}
    for posting in bench_postings:
        at.setdefault(posting.village_election_id, []).append(posting)
    homes = [v.pk for v in villages if v.pk in at]
    plan = []
    for i in range(clients):
        home = homes[i % len(homes)]
        sharing = len(range(i % len(homes), clients, len(homes)))
        mine = at[home][i // len(homes) :: sharing][:per_client]
        arrivals = [(tokens[a.officer.user_id], a.pk, "arrived") for a in mine]
        finishes = [(tokens[a.officer.user_id], a.pk, "finished") for a in mine]
        client = Client(
            index=i, checkins=arrivals + finishes, token=arrivals[0][0], arrivals=arrivals, home=home
        )
        if i < len(homes):
            client.village, client.leader_token = home, arrivals[0][0]
            client.stage = current.get(home, "")
        plan.append(client)
    gather_statistics()  # without them the board's late list took 17 ms instead of 7
    return {
        "operation": operation.pk,
        "kabag_token": person_token_create(user=kabag).key,
        "clients": plan,
        "villages": len(villages),
        "postings": Assignment.objects.filter(operation=operation, stage=Stage.VOTING).count(),
    }


def reset_checkins(operation_id: int) -> None:
    from django.db import connection

    from election_day.models import CheckIn
    from election_day.services.common import board_changed

    CheckIn.objects.filter(operation_id=operation_id).delete()
    # Written beside the services: tell the board, as every writer does (its presence is cached).
    board_changed(operation_id=operation_id, parts=("presence",))
    connection.close()


def photo_bytes(target: int = PHOTO_BYTES) -> bytes:
    """A phone-sized JPEG of about ``target`` bytes with photo-like detail (blurred noise on gradients)."""
    from PIL import Image, ImageFilter

    size = (1280, 960)
    base = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 60).filter(ImageFilter.GaussianBlur(1.2))
    image = Image.merge("RGB", [base, noise, base.rotate(180)])
    best = b""
    for quality in range(95, 30, -5):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality)
        best = out.getvalue()
        if len(best) <= target:
            break
    return best


# --- the clients ------------------------------------------------------------------------------------


def _post(
    session: requests.Session, url: str, token: str, **kwargs
) -> tuple[requests.Response | None, float]:
    started = time.perf_counter()
    try:
        response = session.post(
            url,
            headers={"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())},
            timeout=30,
            **kwargs,
        )
    except requests.RequestException:
        response = None
    return response, time.perf_counter() - started


def next_step(client: Client) -> dict:
    following = (
        STAGES[(STAGES.index(client.stage) + 1) % len(STAGES)] if client.stage in STAGES else STAGES[0]
    )
    body = {"operation": 0, "village_election": client.village, "stage": following}
    if following == STAGES[0]:  # after "selesai" (or unknown): a repeat vote, a step back with its reason
        body["reason"] = "Pemungutan suara ulang (uji beban)"
    return body


def write_loop(
    base: str, operation: int, client: Client, tally: Tally, until: float, *, checkins: bool
) -> None:
    session = requests.Session()
    turn = 0
    while time.monotonic() < until:
        turn += 1
        if client.village is not None and (turn % 2 == 0 or not checkins or not client.checkins):
            body = next_step(client) | {"operation": operation}
            response, seconds = _post(
                session, f"{base}/api/v1/hari-h/progress/", client.leader_token, json=body
            )
            if tally.add("progress", response, seconds, 201):
                client.stage = body["stage"]
            elif response is not None and "sudah berada pada tahap" in response.text:
                client.stage = body["stage"]  # it was there already: carry on from it
            else:
                client.stage = ""  # start the cycle again (TPS dibuka, with a reason)
        elif checkins and client.checkins:
            token, assignment, kind = client.checkins.pop(0)
            response, seconds = _post(
                session,
                f"{base}/api/v1/hari-h/checkins/",
                token,
                json={"assignment": assignment, "kind": kind},
            )
            tally.add("checkin", response, seconds, 201)
        else:
            break  # nothing left to write for this client


def incident_loop(
    base: str, operation: int, client: Client, village: int, photo: bytes, tally: Tally, until: float
) -> None:
    session = requests.Session()
    token = client.token
    while time.monotonic() < until:
        response, seconds = _post(
            session,
            f"{base}/api/v1/hari-h/incidents/",
            token,
            data={
                "operation": operation,
                "village_election": village,
                "category": "logistik",
                "severity": random.choice((1, 2)),
                "description": "Uji beban: kotak suara cadangan belum tiba",
            },
            files={"photos": ("foto.jpg", photo, "image/jpeg")},
        )
        tally.add("incident", response, seconds, 201)


def board_loop(base: str, operation: int, token: str, etag: str, tally: Tally, until: float) -> None:
    session = requests.Session()
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            response = session.get(
                f"{base}/api/v1/operations/{operation}/board/",
                headers={"Authorization": f"Token {token}", "If-None-Match": etag},
                timeout=30,
            )
        except requests.RequestException:
            response = None
        if response is not None and response.status_code == 200:
            etag = response.headers["ETag"]  # the minute turned (late officers): poll the new one
            continue
        tally.add("board304", response, time.perf_counter() - started, 304)


def run_threads(targets: list) -> float:
    threads = [threading.Thread(target=t) for t in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# --- server times from the request log ----------------------------------------------------------------


def server_times(log_path, since: int, path_part: str, status: int) -> list[float]:
    """duration_ms of the app's request log lines after byte ``since`` for that path and status."""
    found = []
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(since)
        for line in log:
            if '"duration_ms"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if path_part in entry.get("path", "") and entry.get("status") == status:
                found.append(entry["duration_ms"])
    return found


def pct(samples: list[float], q: float) -> float:
    return sorted(samples)[int(q * (len(samples) - 1))] if samples else float("nan")


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="h14", help="database pilkades_<name>")
    parser.add_argument("--fresh", action="store_true", help="recreate the database and the world")
    parser.add_argument("--duration", type=int, default=15, help="seconds per load phase")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    # Each posting gives two check-ins (arrival, end of duty): 300 per client keep all 20 clients
    # writing for 20 s at ~600 writes/s; with 100 they ran out within 20 s at ~400 /s.
    parser.add_argument("--per-client", type=int, default=300, help="bench officers (postings) per client")
    parser.add_argument("--events", type=int, default=100, help="field-to-wall check-ins")
    parser.add_argument("--changed", type=int, default=100, help="board requests after a change")
    args = parser.parse_args()

    setup_django("postgres", fresh=args.fresh, name=args.name)
    world = build_world(args.clients, args.per_client)
    clients: list[Client] = world["clients"]
    operation, kabag_token = world["operation"], world["kabag_token"]
    photo = photo_bytes()
    from django.db import connection

    connection.close()
    print(
        f"== Election day under load: PostgreSQL, gunicorn {args.workers} sync workers,"
        f" {args.clients} clients (threads, requests), {args.duration} s per phase;"
        f" {world['villages']} villages,"
        f" {world['postings']} voting postings; Redis: {'yes' if os.environ.get('REDIS_URL') else 'no'}"
    )
    machine_note()
    port = free_port()
    log = OUT / f"gunicorn-election-day-{args.name}.log"
    from django.conf import settings

    # Person tokens are bound to the password's session hash, an HMAC with the secret key: the
    # server gets the key they were issued with.
    server = start_gunicorn(
        database_url("postgres", args.name),
        port,
        args.workers,
        log,
        "pilkades.settings",
        extra_env={"DJANGO_SECRET_KEY": settings.SECRET_KEY},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Warm both workers (imports, first queries) before anything is timed.
        for _ in range(8):
            requests.get(
                f"{base}/api/v1/operations/{operation}/board/",
                headers={"Authorization": f"Token {kabag_token}"},
                timeout=30,
            )

        # 1. check-ins and progress steps
        tally = Tally()
        since = log.stat().st_size
        before, own_cpu = cpu_snapshot(server), time.process_time()
        until = time.monotonic() + args.duration
        elapsed = run_threads(
            [lambda c=c: write_loop(base, operation, c, tally, until, checkins=True) for c in clients]
        )
        cpu = cpu_used(before, cpu_snapshot(server))
        client_cpu = time.process_time() - own_cpu
        writes = tally.ok.get("checkin", 0) + tally.ok.get("progress", 0)
        print(
            f"-- writes: {tally.ok.get('checkin', 0)} check-ins, {tally.ok.get('progress', 0)} steps"
            f" in {elapsed:.1f} s"
        )
        machine_note()
        row("check-ins + progress: writes per second", writes / elapsed, "/s")
        print(
            f"   target ≥ {TARGET_WRITES_S} /s [{'OK ' if writes / elapsed >= TARGET_WRITES_S else 'MISS'}]"
        )
        row("  errors", len(tally.errors), "", target=0)
        for sample in tally.errors[:5]:
            print("     ", sample)
        # A client with no check-in left stops (or only moves its village): fewer clients than
        # claimed for the rest of the phase. Zero, or the world is too small for --duration.
        row("  clients that ran out of check-ins", sum(1 for c in clients if not c.checkins), "", target=0)
        for kind in ("checkin", "progress"):
            lat = tally.latency.get(kind, [])
            served = server_times(
                log, since, "/hari-h/checkins/" if kind == "checkin" else "/hari-h/progress/", 201
            )
            row(f"  {kind}: p50 client (ms)", pct(lat, 0.5), "ms")
            row(f"  {kind}: p95 client (ms)", pct(lat, 0.95), "ms")
            row(f"  {kind}: p50 server (ms)", pct(served, 0.5), "ms")
            row(f"  {kind}: p95 server (ms)", pct(served, 0.95), "ms")
        total = len(tally.errors) + writes
        per_app, per_db = cpu["app"] * 1000 / total, cpu["db"] * 1000 / total
        row("  CPU per write: gunicorn (ms)", per_app, "ms")
        row("  CPU per write: PostgreSQL (ms)", per_db, "ms")
        row("  CPU per write: the 20 clients (ms)", client_cpu * 1000 / total, "ms")
        row("  writes/s two idle cores would serve (estimate)", 2000 / (per_app + per_db), "/s")
        # A worker recycled mid-run (max_requests, memory) costs a boot's CPU, which the per-write
        # figures above miss when the old worker is gone before the second snapshot.
        row("  workers recycled during the writes", worker_boots(log, since), "")

        # 2. incidents with a 200 KB photo
        tally = Tally()
        since = log.stat().st_size
        before, own_cpu = cpu_snapshot(server), time.process_time()
        until = time.monotonic() + args.duration
        elapsed = run_threads(
            [
                lambda c=c: incident_loop(
                    base,
                    operation,
                    c,
                    c.home,
                    photo,
                    tally,
                    until,
                )
                for c in clients
            ]
        )
        cpu = cpu_used(before, cpu_snapshot(server))
        client_cpu = time.process_time() - own_cpu
        made = tally.ok.get("incident", 0)
        print(f"-- incidents: {made} with a {len(photo) // 1000} KB photo in {elapsed:.1f} s")
        row("incidents with a photo per second", made / elapsed, "/s")
        print(
            f"   target ≥ {TARGET_INCIDENTS_S} /s"
            f" [{'OK ' if made / elapsed >= TARGET_INCIDENTS_S else 'MISS'}]"
        )
        row("  errors", len(tally.errors), "", target=0)
        for sample in tally.errors[:5]:
            print("     ", sample)
        served = server_times(log, since, "/hari-h/incidents/", 201)
        row("  p50 client (ms)", pct(tally.latency.get("incident", []), 0.5), "ms")
        row("  p95 client (ms)", pct(tally.latency.get("incident", []), 0.95), "ms")
        row("  p50 server (ms)", pct(served, 0.5), "ms")
        row("  p95 server (ms)", pct(served, 0.95), "ms")
        total = max(len(tally.errors) + made, 1)
        per_app, per_db = cpu["app"] * 1000 / total, cpu["db"] * 1000 / total
        row("  CPU per incident: gunicorn (ms)", per_app, "ms")
        row("  CPU per incident: PostgreSQL (ms)", per_db, "ms")
        row("  CPU per incident: the clients (ms)", client_cpu * 1000 / total, "ms")
        row("  incidents/s two idle cores would serve (estimate)", 2000 / (per_app + per_db), "/s")

        # 3. the board: unchanged (304) by every client, then after a change (200)
        board_url = f"{base}/api/v1/operations/{operation}/board/"
        auth = {"Authorization": f"Token {kabag_token}"}
        etag = requests.get(board_url, headers=auth, timeout=30).headers["ETag"]
        tally = Tally()
        since = log.stat().st_size
        until = time.monotonic() + args.duration
        elapsed = run_threads(
            [lambda: board_loop(base, operation, kabag_token, etag, tally, until) for _ in clients]
        )
        served = server_times(log, since, "/board/", 304)
        print(
            f"-- board unchanged: {tally.ok.get('board304', 0)} answers 304 in {elapsed:.1f} s"
            f" ({len(served)} logged)"
        )
        row("board 304: p50 server (ms)", pct(served, 0.5), "ms", TARGET_304_MS)
        row("board 304: p95 server (ms)", pct(served, 0.95), "ms", TARGET_304_MS)
        row("board 304: p50 client (ms)", pct(tally.latency.get("board304", []), 0.5), "ms")
        row("board 304: answers per second", tally.ok.get("board304", 0) / elapsed, "/s")
        row("  errors (not 304)", len(tally.errors), "", target=0)
        session, leader = requests.Session(), clients[0]
        since = log.stat().st_size
        changed_errors = 0
        for _ in range(args.changed):
            body = next_step(leader) | {"operation": operation}
            response, _s = _post(session, f"{base}/api/v1/hari-h/progress/", leader.leader_token, json=body)
            if response is not None and response.status_code == 201:
                leader.stage = body["stage"]
            answer = session.get(board_url, headers={**auth, "If-None-Match": etag}, timeout=30)
            changed_errors += answer.status_code != 200
            etag = answer.headers.get("ETag", etag)
        served = server_times(log, since, "/board/", 200)
        print(f"-- board after a progress step: {len(served)} answers 200, {changed_errors} not 200")
        row("board after a step: p50 server (ms)", pct(served, 0.5), "ms", TARGET_CHANGED_MS)
        row("board after a step: p95 server (ms)", pct(served, 0.95), "ms", TARGET_CHANGED_MS)
        # A check-in rebuilds the board's presence and late list (2,000 postings), the costlier part.
        reset_checkins(operation)
        arrivals = [arrival for c in clients for arrival in c.arrivals][: args.changed]
        since = log.stat().st_size
        changed_errors = 0
        for token, assignment, kind in arrivals:
            _post(
                session,
                f"{base}/api/v1/hari-h/checkins/",
                token,
                json={"assignment": assignment, "kind": kind},
            )
            answer = session.get(board_url, headers={**auth, "If-None-Match": etag}, timeout=30)
            changed_errors += answer.status_code != 200
            etag = answer.headers.get("ETag", etag)
        served = server_times(log, since, "/board/", 200)
        print(f"-- board after a check-in: {len(served)} answers 200, {changed_errors} not 200")
        row("board after a check-in: p50 server (ms)", pct(served, 0.5), "ms", TARGET_CHANGED_MS)
        row("board after a check-in: p95 server (ms)", pct(served, 0.95), "ms", TARGET_CHANGED_MS)

        # 4. field to wall: check-ins by one client, seen on the board polled by another
        reset_checkins(operation)
        events = [arrival for c in reversed(clients) for arrival in c.arrivals][: args.events]
        posted: list[float] = []
        seen: list[float] = []
        stop = threading.Event()
        baseline = requests.get(board_url, headers=auth, timeout=30).json()["personnel"]["present"]

        def field_phone() -> None:
            session = requests.Session()
            for token, assignment, kind in events:
                time.sleep(random.uniform(0.1, 0.5))
                sent = time.monotonic()
                response, _s = _post(
                    session,
                    f"{base}/api/v1/hari-h/checkins/",
                    token,
                    json={"assignment": assignment, "kind": kind},
                )
                if response is not None and response.status_code == 201:
                    posted.append(sent)

        def wall() -> None:
            session, tag = requests.Session(), ""
            while not stop.is_set():
                answer = session.get(board_url, headers={**auth, "If-None-Match": tag}, timeout=30)
                if answer.status_code == 200:
                    tag = answer.headers["ETag"]
                    present = answer.json()["personnel"]["present"] - baseline
                    now = time.monotonic()
                    seen.extend([now] * (present - len(seen)))
                stop.wait(POLL_S)

        def villages_moving() -> None:  # other phones keep writing: the ETag changes, "present" not
            session = requests.Session()
            while not stop.is_set():
                for c in clients[:4]:
                    body = next_step(c) | {"operation": operation}
                    response, _s = _post(
                        session, f"{base}/api/v1/hari-h/progress/", c.leader_token, json=body
                    )
                    if response is not None and response.status_code == 201:
                        c.stage = body["stage"]
                stop.wait(0.2)

        watchers = [threading.Thread(target=wall), threading.Thread(target=villages_moving)]
        for thread in watchers:
            thread.start()
        phone = threading.Thread(target=field_phone)
        phone.start()
        phone.join()
        deadline = time.monotonic() + 3 * POLL_S
        while len(seen) < len(posted) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        for thread in watchers:
            thread.join()
        delays = [s - p for p, s in zip(sorted(posted), seen, strict=False)]
        print(
            f"-- field to wall: {len(posted)} check-ins posted, {len(seen)} seen on the board"
            f" (polled every {POLL_S:g} s with If-None-Match, as the page does)"
        )
        row("field to wall: p50 (s)", statistics.median(delays) if delays else float("nan"), "s")
        row("field to wall: p95 (s)", pct(delays, 0.95), "s", TARGET_WALL_S)
        row("field to wall: max (s)", max(delays) if delays else float("nan"), "s")
    finally:
        stop_gunicorn(server)
    machine_note()
    print(f"   gunicorn log: {log}")


if __name__ == "__main__":
    main()

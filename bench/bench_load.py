"""The API under concurrent load: gunicorn (2 workers) on 127.0.0.1, 20 clients, wrk as the load tool.

Scenario "ranking": every client GETs the first page of 50 of the national ranking as a Kabag Ops
user. Scenario "submission": every client, as a Polsek user, creates a new draft report with an
answer to every active indicator (POST /risk-reports/) and submits it (POST /risk-reports/{id}/submit/),
again and again; a submission is that pair. wrk runs one connection per thread there, so each
thread's Lua state follows its own create → submit chain. Scenario "one-request submission": the
same report sent finished, with "submit": true, in one POST /risk-reports/; a submission is one
201 answer whose report is submitted. Each scenario runs for a bounded time;
gunicorn is started and stopped by this script, with production settings (DEBUG off, a throwaway
secret key, no SSL redirect, throttling raised so that it does not cap the load).

    python bench/bench_load.py --db sqlite [--duration 15] [--clients 20]

Needs the national world `bench` (bench/build_world.py) and wrk (`apt-get install -y wrk`: installed
here when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import OUT, ROOT, database_url, machine_note, row, setup_django

HERE = Path(__file__).resolve().parent
POLSEK_USERNAME = "bench-polsek"

# One Lua file for every scenario: a JSON summary line in done(); in chain mode each thread
# alternates create and submit on its single connection; in one mode every request is a create
# with "submit": true.
WRK_LUA = r"""
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  token = args[2]
  create_body_template = args[3]
  villages = {}
  for v in string.gmatch(args[4] or "", "%d+") do table.insert(villages, v) end
  pending = nil
  submits, creates, unexpected, sent = 0, 0, 0, 0
  wrk.headers["Authorization"] = "Token " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  if mode == "get" then
    return wrk.format("GET")
  end
  if pending then
    return wrk.format("POST", "/api/v1/risk-reports/" .. pending .. "/submit/", nil, "")
  end
  local village = villages[((index + sent) % #villages) + 1]
  return wrk.format("POST", "/api/v1/risk-reports/", nil,
                    string.gsub(create_body_template, "VILLAGE", village))
end

function response(status, headers, body)
  if mode == "get" then
    if status ~= 200 then unexpected = unexpected + 1 end
    return
  end
  if mode == "one" then
    if status == 201 and string.find(body, '"status":"submitted"', 1, true) then
      submits = submits + 1
      creates = creates + 1
    else
      unexpected = unexpected + 1
    end
    return
  end
  if pending then
    if status == 200 then submits = submits + 1 else unexpected = unexpected + 1 end
    pending = nil
  else
    local id = string.match(body, '"id":(%d+)')
    if status == 201 and id then
      creates = creates + 1
      pending = id
    else
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local submits_total, creates_total, unexpected_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    submits_total = submits_total + (thread:get("submits") or 0)
    creates_total = creates_total + (thread:get("creates") or 0)
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,' ..
    '"submits":%d,"creates":%d,"unexpected":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status,
    submits_total, creates_total, unexpected_total))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    assert found, "wrk is not installed and apt-get could not install it"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> dict:
    """Users, tokens and ids for the scenarios, in the national world."""
    from bench_ranking import hq_token
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from operations.models import Jurisdiction, Officer, Operation, RiskIndicator, Unit
    from operations.roles import POLSEK
    from operations.selectors.report_facts import FACT_CODES
    from operations.services.tokens import person_token_create
    from villages.models import VillageElection

    operation = Operation.objects.filter(name__startswith="Ops bench").latest("pk")
    user, _ = get_user_model().objects.get_or_create(username=POLSEK_USERNAME)
    user.groups.add(Group.objects.get(name=POLSEK))
    officer = Officer.objects.filter(user=user).first()
    if officer is None:
        officer = (
            Officer.objects.filter(unit__kind=Unit.Kind.POLSEK, user__isnull=True).order_by("pk").first()
        )
        officer.user = user
        officer.save(update_fields=["user"])
    kecamatan = Jurisdiction.objects.filter(unit=officer.unit).values_list("kecamatan_id", flat=True)
    villages = list(
        VillageElection.objects.filter(
            election=operation.election, desa__kecamatan__in=kecamatan
        ).values_list("pk", flat=True)
    )
    answers = [
        {"indicator": code, "flag": True}
        if kind == RiskIndicator.Kind.BOOLEAN
        else {"indicator": code, "number": "3"}
        for code, kind in RiskIndicator.objects.filter(is_active=True).values_list("code", "kind")
    ]
    # One body serves every village, whatever its record: the answers to the village's facts are
    # corrections with their reason, which every write checks against the record all the same.
    for answer in answers:
        if answer["indicator"] in FACT_CODES:
            answer["evidence"] = "Koreksi uji beban."
    body = json.dumps({"village_election": 0, "narrative": "Beban uji", "answers": answers})
    figures = {
        "vendor": connection.vendor,
        "operation": operation.pk,
        "hq_token": hq_token(),
        "polsek_token": person_token_create(user=user).key,
        "polsek_user": user.pk,
        "villages": villages,
        "indicators": len(answers),
        "create_body": body.replace('"village_election": 0', '"village_election": VILLAGE'),
        "submit_body": body.replace('"village_election": 0', '"village_election": VILLAGE')[:-1]
        + ', "submit": true}',
    }
    connection.close()
    return figures


def queries_per_submission(ids: dict) -> tuple[int, int, int]:
    """Queries of one create, one submit and one create with submit, in process (test Client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test Client's host through ALLOWED_HOSTS
    client = Client(HTTP_AUTHORIZATION=f"Token {ids['polsek_token']}")
    body = ids["create_body"].replace("VILLAGE", str(ids["villages"][0]))
    with CaptureQueriesContext(connection) as create:
        response = client.post("/api/v1/risk-reports/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    with CaptureQueriesContext(connection) as submit:
        response = client.post(f"/api/v1/risk-reports/{response.json()['id']}/submit/")
    assert response.status_code == 200, response.content[:300]
    body = ids["submit_body"].replace("VILLAGE", str(ids["villages"][0]))
    with CaptureQueriesContext(connection) as one:
        response = client.post("/api/v1/risk-reports/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    connection.close()
    return len(create), len(submit), len(one)


def submitted_count(user_id: int) -> int:
    from django.db import connection

    from operations.models import RiskReport

    count = RiskReport.objects.filter(author_id=user_id, status=RiskReport.Status.SUBMITTED).count()
    connection.close()
    return count


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [pid] + [p for child in children for p in _process_tree(int(child))]


def _database_backends() -> list[int]:
    """PostgreSQL server processes serving the benchmark database (none for SQLite: in-process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    connection.close()
    return pids


REAPED = -1  # the key of a parent's "children that exited" CPU in a snapshot


def cpu_snapshot(server: subprocess.Popen) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) so far of gunicorn's processes and of the database's backends.

    The machine is shared, so wall-clock figures depend on what else runs; CPU per request does not.
    A process that exits between two snapshots (a recycled worker, its database connection) is
    counted through its parent (gunicorn's master, PostgreSQL's postmaster), which adds a reaped
    child's CPU to its own "children" times: under ``REAPED``.
    """

    def stat(pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return None

    def seconds(pids: list[int], parent: int | None) -> dict[int, float]:
        found = {}
        for pid in pids:
            fields = stat(pid)
            if fields is not None:
                found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        fields = stat(parent) if parent else None
        if fields is not None:
            found[REAPED] = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS
        return found

    backends = _database_backends()
    postmaster = int(stat(backends[0])[1]) if backends and stat(backends[0]) else None
    return {"app": seconds(_process_tree(server.pid), server.pid), "db": seconds(backends, postmaster)}


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU between two snapshots: a process gone by the second is counted whole by its parent's
    reaped time, so what it had used before the first snapshot is taken off."""
    used = {}
    for side in after:
        grown = sum(cpu - before[side].get(pid, 0.0) for pid, cpu in after[side].items())
        gone = sum(cpu for pid, cpu in before[side].items() if pid not in after[side])
        used[side] = grown - gone
    return used


def start_gunicorn(
    url: str, port: int, workers: int, log: Path, settings: str, extra_env: dict | None = None
) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port with the deployed settings (deploy/gunicorn.conf.py: what is
    measured is what a Polres runs, worker recycling included), ``workers`` of them; ``extra_env``
    last (e.g. the secret key person tokens were made with). gunicorn's own lines (a worker booted or
    recycled) go to ``log`` with the app's request lines: ``worker_boots`` counts them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_API_THROTTLE_USER": "1000000/min",
        "DATABASE_URL": url,
        **(extra_env or {}),
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        + ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "info"]
        + ["pilkades.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
        except urllib.error.HTTPError:
            return server  # 401/403: gunicorn and Django answer
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}") from None
            time.sleep(0.3)
        else:
            return server
    stop_gunicorn(server)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")


def worker_boots(log: Path, since: int = 0) -> int:
    """Workers gunicorn booted after byte ``since`` of its log (at start, and each one recycled)."""
    with open(log, encoding="utf-8", errors="replace") as lines:
        lines.seek(since)
        return sum("Booting worker with pid" in line for line in lines)


def stop_gunicorn(server: subprocess.Popen) -> None:
    # Only the process group this script started (gunicorn's master and its workers).
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def run_wrk(
    wrk: str, lua: Path, url: str, *, threads: int, clients: int, duration: int, args: list[str]
) -> dict:
    completed = subprocess.run(
        [
            wrk,
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            url,
        ]
        + ["--", *args],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    summary = next(line for line in completed.stdout.splitlines() if line.startswith('{"requests"'))
    return json.loads(summary)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--name", default="bench", help="the world to load (default: the nation)")
    parser.add_argument(
        "--settings",
        default="pilkades.settings",
        help="gunicorn's settings module, to try a settings change without editing the app"
        " (a module outside the repository: put its directory on PYTHONPATH)",
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    setup_django(args.db, name=args.name)
    ids = prepare()
    create_queries, submit_queries, one_queries = queries_per_submission(ids)
    note = machine_note()  # before the run: gunicorn and wrk load the machine themselves
    port = free_port()
    log = OUT / f"gunicorn-{args.db}.log"
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "bench.lua"
        lua.write_text(WRK_LUA)
        server = start_gunicorn(database_url(args.db, args.name), port, args.workers, log, args.settings)
        try:
            base = f"http://127.0.0.1:{port}"
            start = cpu_snapshot(server)
            ranking = run_wrk(
                wrk,
                lua,
                f"{base}/api/v1/operations/{ids['operation']}/ranking/?page_size=50",
                threads=2,
                clients=args.clients,
                duration=args.duration,
                args=["get", ids["hq_token"]],
            )
            middle = cpu_snapshot(server)
            ranking["cpu"] = cpu_used(start, middle)
            before = submitted_count(ids["polsek_user"])
            submission = run_wrk(
                wrk,
                lua,
                base + "/",
                threads=args.clients,
                clients=args.clients,
                duration=args.duration,
                args=["chain", ids["polsek_token"], ids["create_body"], " ".join(map(str, ids["villages"]))],
            )
            after = cpu_snapshot(server)
            submission["cpu"] = cpu_used(middle, after)
            stored = submitted_count(ids["polsek_user"]) - before
            # No chain to follow: two threads share the connections, as in the ranking scenario.
            one = run_wrk(
                wrk,
                lua,
                f"{base}/api/v1/risk-reports/",
                threads=2,
                clients=args.clients,
                duration=args.duration,
                args=["one", ids["polsek_token"], ids["submit_body"], " ".join(map(str, ids["villages"]))],
            )
            one["cpu"] = cpu_used(after, cpu_snapshot(server))
            stored_one = submitted_count(ids["polsek_user"]) - before - stored
        finally:
            stop_gunicorn(server)

    print(
        f"== API under load on {ids['vendor']}: gunicorn {args.workers} workers, {args.clients} clients,"
        f" {args.duration} s per scenario, 127.0.0.1, settings {args.settings}"
    )
    print(note)
    scenarios = (
        ("ranking page of 50", ranking),
        ("report create + submit", submission),
        ("one-request submission", one),
    )
    for name, f in scenarios:
        seconds = f["duration_us"] / 1e6
        errors = sum(
            f[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors")
        )
        errors += f["unexpected"] if f is not ranking else 0
        print(f"   {name}: {f['requests']} requests in {seconds:.1f} s")
        row(f"  {name}: requests per second", f["requests"] / seconds, "req/s")
        row(f"  {name}: p50 latency (ms)", f["p50_us"] / 1000, "ms")
        row(
            f"  {name}: p95 latency (ms)",
            f["p95_us"] / 1000,
            "ms",
            target=50 if name.startswith("ranking") else None,
        )
        row(f"  {name}: p99 latency (ms)", f["p99_us"] / 1000, "ms")
        row(f"  {name}: errors (non-2xx, socket, timeouts)", errors, "", target=0)
        per = f["requests"] or 1
        row(f"  {name}: gunicorn CPU per request (ms)", f["cpu"]["app"] * 1000 / per, "ms")
        if f["cpu"]["db"]:
            row(f"  {name}: PostgreSQL CPU per request (ms)", f["cpu"]["db"] * 1000 / per, "ms")
        busy = (f["cpu"]["app"] + f["cpu"]["db"]) / per
        # An estimate, not a measurement: what 2 otherwise idle cores would serve at this CPU cost.
        row(f"  {name}: req/s on 2 idle cores (estimate)", 2 / busy if busy else 0, "req/s")
    print(
        f"   queries per request (in process): create {create_queries}, submit {submit_queries},"
        f" create with submit {one_queries}"
    )
    for label, f, stored_here in (
        ("create + submit", submission, stored),
        ("one request", one, stored_one),
    ):
        seconds = f["duration_us"] / 1e6
        print(
            f"   {label}: {f['submits']} submissions by wrk's count, {stored_here} submitted reports stored"
            f" ({ids['indicators']} answers each, {f['creates']} created)"
        )
        rate = f["submits"] / seconds
        title = f"report submissions per second ({label})"
        print(f"   {title:<52} {rate:>10.1f} /s     target ≥ 100 /s [{'OK ' if rate >= 100 else 'MISS'}]")
        cpu = f["cpu"]["app"] + f["cpu"]["db"]
        if f["submits"]:
            per = cpu * 1000 / f["submits"]
            print(f"   {'  CPU per submission, gunicorn + database (ms)':<52} {per:>10.1f} ms")
            estimate = 2 * f["submits"] / cpu
            print(f"   {'  submissions per second on 2 idle cores (estimate)':<52} {estimate:>10.1f} /s")
    print(f"   gunicorn log: {log}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

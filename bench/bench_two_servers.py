"""Two app servers behind a round robin, one PostgreSQL, one Redis: issue 16's figures.

1. Ranking page throughput: the API ranking page of 50 of the demo operation (GET
   /api/v1/operations/<id>/ranking/, a Kabag Ops token), wrk for --duration seconds:
   a. one gunicorn × 2 workers with the cache in local memory (REDIS_URL unset), --clients clients;
   b. two gunicorn × 2 workers with the cache on Redis, the same clients split in half between
      them (two wrk runs at once: the test's round robin, per connection).
   Target: b ≥ 90 % of a. wrk waits up to 10 s for an answer (its default, 2 s, counted a few
   requests per run as timeouts): gunicorn's sync workers close every connection, so wrk opens one
   per request and, at ~700/s, leaves ~25,000 sockets in TIME_WAIT on 28,000 local ports; the
   connects that wait for a port make the p95 tail of 0.3-2 s. That is the client's, not the app's.
2. Throttle accuracy: both servers with DJANGO_API_THROTTLE_USER=<--limit>/min; 2 × limit requests
   to GET /api/v1/ sent round robin over both by 8 threads, well within the minute; the 200s are
   counted. Target: within 2 % of the limit.

    python bench/bench_two_servers.py [--world h16] [--duration 20] [--clients 16] [--limit 600]

PostgreSQL only (database pilkades_<world>, the demo loaded into it on first use) and Redis
(--redis, default redis://127.0.0.1:6379/6, flushed before each part). Needs wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

from common import ROOT, database_url, machine_note, setup_django

HERE = Path(__file__).resolve().parent
WRK_LUA = r"""
function init(args)
  wrk.headers["Authorization"] = "Token " .. args[1]
  bad = 0
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  io.write(string.format('{"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"errors":%d,"socket":"%d/%d/%d/%d"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
"""


def prepare() -> tuple[int, str]:
    """The demo in the world's database (loaded once), and a Kabag Ops token."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from operations.models import Operation
    from operations.services.tokens import person_token_create

    if not Operation.objects.exists():
        call_command("load_demo", stdout=StringIO())
    operation = Operation.objects.order_by("pk").first()
    token = person_token_create(user=get_user_model().objects.get(username="kabagops")).key
    connection.close()
    return operation.pk, token


def start_servers(count: int, env: dict, logs: Path) -> list[tuple[subprocess.Popen, str]]:
    servers = []
    for index in range(count):
        with __import__("socket").socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "pilkades.wsgi"],
            cwd=ROOT,
            env={**env, "PILKADES_BIND": f"127.0.0.1:{port}"},
            stdout=(logs / f"server-{index}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        servers.append((process, f"http://127.0.0.1:{port}"))
    for process, url in servers:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/readyz", timeout=5).status == 200:
                    break
            except (OSError, urllib.error.HTTPError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn at {url} did not start; see {logs}")
            time.sleep(0.3)
    return servers


def stop_servers(servers) -> None:
    for process, _url in servers:
        process.terminate()
    for process, _url in servers:
        process.wait(timeout=30)


def wrk(urls: list[str], path: str, token: str, clients: int, duration: int, lua: Path) -> dict:
    """wrk against each URL at once, the clients split evenly; totals."""
    share = max(clients // len(urls), 1)
    runs = [
        subprocess.Popen(
            ["wrk", "-t", str(min(share, 2)), "-c", str(share), "-d", f"{duration}s", "--timeout", "10s",
             "-s", str(lua), f"{url}{path}", "--", token],
            stdout=subprocess.PIPE,
            text=True,
        )
        for url in urls
    ]  # fmt: skip
    results = []
    for run in runs:
        out, _ = run.communicate()
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = max(r["duration_us"] for r in results) / 1e6
    return {
        "requests": sum(r["requests"] for r in results),
        "per_second": sum(r["requests"] for r in results) / seconds,
        "p50_ms": max(r["p50_us"] for r in results) / 1000,
        "p95_ms": max(r["p95_us"] for r in results) / 1000,
        "errors": sum(r["errors"] for r in results),
        "kinds": " + ".join(r["socket"] for r in results),
    }


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def throttle_run(urls: list[str], token: str, limit: int) -> tuple[int, int, float]:
    """2 × limit requests, round robin over the servers, 8 at a time; (200s, 429s, seconds)."""
    request_count = 2 * limit

    def one(index: int) -> int:
        request = urllib.request.Request(
            f"{urls[index % len(urls)]}/api/v1/", headers={"Authorization": f"Token {token}"}
        )
        try:
            return urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as exc:
            return exc.code

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(one, range(request_count)))
    return codes.count(200), codes.count(429), time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--world", default="bench_servers")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--rounds", type=int, default=2, help="single/two-server pairs, alternated")
    options = parser.parse_args()

    # One key for this process (the tokens) and the servers; production settings need a strong one.
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(60)
    # Created on first use (an error when it exists says nothing new).
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE pilkades_{options.world}"],
        capture_output=True,
        check=False,
    )
    setup_django("postgres", name=options.world)
    operation_id, token = prepare()
    ranking = f"/api/v1/operations/{operation_id}/ranking/"
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "pilkades.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url("postgres", options.world),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_API_THROTTLE_USER": "1000000/min",
        "PILKADES_WEB_WORKERS": "2",
        "PILKADES_JOBS_RUN": "worker",
    }
    redis_env = {**base_env, "REDIS_URL": options.redis}
    print(f"Two servers — ranking page (operation {operation_id}), {options.clients} clients, "
          f"{options.duration} s per run, {options.rounds} rounds")  # fmt: skip
    lua = HERE / "out" / "two_servers.lua"
    lua.parent.mkdir(exist_ok=True)
    lua.write_text(WRK_LUA)
    logs = Path(tempfile.mkdtemp(prefix="pilkades-two-servers-"))
    single, single_redis, double = [], [], []
    for _round in range(options.rounds):
        # The middle run says which costs what: the shared cache itself, or a second server.
        for label, count, env, sink in (("single, local memory", 1, base_env, single),
                                         ("single, Redis", 1, redis_env, single_redis),
                                         ("two servers, Redis", 2, redis_env, double)):  # fmt: skip
            flush_redis(options.redis)
            servers = start_servers(count, env, logs)
            try:
                urls = [url for _process, url in servers]
                wrk(urls, ranking, token, options.clients, 3, lua)  # warm the caches and connections
                result = wrk(urls, ranking, token, options.clients, options.duration, lua)
            finally:
                stop_servers(servers)
            sink.append(result)
            load = os.getloadavg()[0]
            latency = f"p50 {result['p50_ms']:6.1f} ms   p95 {result['p95_ms']:6.1f} ms"
            errors = f"non-200 {result['errors']} (status/connect/read/timeout {result['kinds']})"
            rate = f"{result['per_second']:8.1f} req/s"
            print(f"   {label:<24} {rate}   {latency}   {errors}   load {load:.1f}")
    if not single:  # --rounds 0: the throttle only
        best_single = best_double = ratio = float("nan")
    else:
        best_single = max(r["per_second"] for r in single)
        best_double = max(r["per_second"] for r in double)
        ratio = best_double / best_single
        best_redis = max(r["per_second"] for r in single_redis)
        print(f"   one server: Redis instead of local memory {best_redis / best_single:.0%}; "
              f"two servers instead of one, both on Redis {best_double / best_redis:.0%}")  # fmt: skip
    print(f"   best: single {best_single:.1f} req/s, two servers {best_double:.1f} req/s: "
          f"{ratio:.0%} (target ≥ 90 %) [{'OK' if ratio >= 0.9 else 'MISS'}]")  # fmt: skip

    print(f"Throttle — DJANGO_API_THROTTLE_USER={options.limit}/min on both servers, "
          f"{2 * options.limit} requests round robin")  # fmt: skip
    flush_redis(options.redis)
    servers = start_servers(2, {**redis_env, "DJANGO_API_THROTTLE_USER": f"{options.limit}/min"}, logs)
    try:
        passed, refused, seconds = throttle_run([url for _p, url in servers], token, options.limit)
    finally:
        stop_servers(servers)
    error = (passed - options.limit) / options.limit
    print(f"   passed {passed}, refused {refused} in {seconds:.1f} s: {error:+.1%} of the limit "
          f"(target within ±2 %) [{'OK' if abs(error) <= 0.02 else 'MISS'}]")  # fmt: skip
    machine_note()
    print(f"   logs: {logs}")


if __name__ == "__main__":
    sys.exit(main())

"""One report submission in process: queries and server time of each request.

The same requests as the load test's submission scenarios (bench_load.py): two requests (a draft
with an answer to every active indicator, then its submit/) and one request (the same draft with
"submit": true), sent through Django's test Client with the production settings (DEBUG off, token
authentication, throttling), so the figures are the app's own cost per request without gunicorn,
the network or other clients. --profile prints where the time goes (cProfile, cumulative, our code
and Django together) in the variant chosen with --variant.

    python bench/bench_submission.py --db postgres --name banten [--repeat 200] [--profile]
        [--variant both|two|one]

Needs a world with a bench operation (bench/build_world.py; a province is enough).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import time

from common import machine_note, row, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--name", default="bench", help="the world to load (default: the nation)")
    parser.add_argument("--repeat", type=int, default=200, help="submissions timed (after 20 warm-up)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument(
        "--variant",
        choices=["both", "two", "one"],
        default="both",
        help="two requests (create, submit/), one request (submit: true), or both (profiled: one)",
    )
    args = parser.parse_args()

    # Production settings, as bench_load.py gives gunicorn.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings")
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_API_THROTTLE_USER="1000000/min",
    )
    setup_django(args.db, name=args.name)
    from bench_load import prepare
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ids = prepare()
    client = Client(HTTP_AUTHORIZATION=f"Token {ids['polsek_token']}")
    villages = ids["villages"]

    def submission(i: int) -> tuple[float, float]:
        body = ids["create_body"].replace("VILLAGE", str(villages[i % len(villages)]))
        start = time.perf_counter()
        response = client.post("/api/v1/risk-reports/", body, content_type="application/json")
        middle = time.perf_counter()
        assert response.status_code == 201, response.content[:300]
        response = client.post(f"/api/v1/risk-reports/{response.json()['id']}/submit/")
        end = time.perf_counter()
        assert response.status_code == 200, response.content[:300]
        return (middle - start) * 1000, (end - middle) * 1000

    def submission_in_one(i: int) -> float:
        body = ids["submit_body"].replace("VILLAGE", str(villages[i % len(villages)]))
        start = time.perf_counter()
        response = client.post("/api/v1/risk-reports/", body, content_type="application/json")
        end = time.perf_counter()
        assert response.status_code == 201, response.content[:300]
        assert response.json()["status"] == "submitted", response.content[:300]
        return (end - start) * 1000

    # Counted right away: the next request's request_started signal empties the query log.
    # BEGIN and COMMIT are counted as queries (round trips) here.
    body = ids["create_body"].replace("VILLAGE", str(villages[0]))
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/risk-reports/", body, content_type="application/json")
    create_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        client.post(f"/api/v1/risk-reports/{response.json()['id']}/submit/")
    submit_queries = len(captured)
    body = ids["submit_body"].replace("VILLAGE", str(villages[0]))
    with CaptureQueriesContext(connection) as captured:
        client.post("/api/v1/risk-reports/", body, content_type="application/json")
    one_queries = len(captured)

    for i in range(20):
        submission(i)
        submission_in_one(i)
    machine_note()
    print(f"== One submission in process on {ids['vendor']}: {ids['indicators']} answers, {args.repeat} runs")
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not database waits

    def measured(run, profiled: bool) -> tuple[list, float]:
        if profiled:
            profiler.enable()
        cpu_start = time.process_time()
        samples = [run(i) for i in range(args.repeat)]
        cpu = (time.process_time() - cpu_start) * 1000 / args.repeat
        if profiled:
            profiler.disable()
        return samples, cpu

    if args.variant in ("both", "two"):
        samples, cpu = measured(submission, profiler is not None and args.variant == "two")
        print(
            f"   two requests, queries per request (BEGIN, COMMIT counted): create {create_queries},"
            f" submit {submit_queries}"
        )
        row("create: server time per request, median (ms)", statistics.median(s[0] for s in samples), "ms")
        row("submit: server time per request, median (ms)", statistics.median(s[1] for s in samples), "ms")
        row("create + submit: this process's CPU per submission (ms)", cpu, "ms")
    if args.variant in ("both", "one"):
        samples, cpu = measured(submission_in_one, profiler is not None)
        print(f"   one request (submit: true), queries (BEGIN, COMMIT counted): {one_queries}")
        row("create and submit: server time per request, median (ms)", statistics.median(samples), "ms")
        row("create and submit: this process's CPU per submission (ms)", cpu, "ms")
    if profiler is not None:
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()

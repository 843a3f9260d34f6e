"""The webhook outbox drained to a local receiver (http.server in a thread on 127.0.0.1).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<scratch db> \
        python bench/bench_webhooks.py [--events 2000]

Builds a throwaway test database (Django's test machinery), registers one endpoint, writes
``--events`` events through event_emit (as the services do, 100 per transaction), then times
deliver_due_webhooks(): claim, sign, POST over a kept-alive connection, record. Prints events per
second and the load average (the receiver shares the machine's two cores with the sender).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings_test")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="cProfile of the drain, top 20")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from webhooks import services
        from webhooks.models import WebhookEndpoint
        from webhooks.services import deliver_due_webhooks, endpoint_save, event_emit

        # The tests' settings run a queued job at once, inside each commit; here the drain is timed
        # on its own, as the job worker runs it.
        services.schedule_drain = lambda run_after=None: None

        endpoint_save(
            endpoint=WebhookEndpoint(url=f"http://127.0.0.1:{server.server_port}/hook", secret="bench" * 8)
        )
        started = time.perf_counter()
        for start in range(0, args.events, 100):
            with transaction.atomic():
                for i in range(start, min(start + 100, args.events)):
                    event_emit(type="report.verified", data={"report": i, "village_election": i % 326})
        written = time.perf_counter() - started
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        counts = deliver_due_webhooks()
        elapsed = time.perf_counter() - started
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        print(f"{connection.vendor}: load average {os.getloadavg()}")
        print(f"  outbox written: {args.events} events in {written:.2f} s")
        print(
            f"  drained: {counts} in {elapsed:.2f} s = {args.events / elapsed:.0f} events/s "
            f"(receiver got {_Handler.received})"
        )
    finally:
        server.shutdown()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

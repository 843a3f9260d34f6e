"""The deployment board of a Polres at the size of issue 18 (150 villages, 520 posted officers):
server time and queries of the page collapsed, searched by NRP and filtered by Polsek, and its size.

    python bench/bench_board.py [--db sqlite|postgres] [--repeat 10]

The world (tests/board_world.py, the same one the browser test measures in pixels) is built afresh
in the database `board` each run. Figures are wall-clock medians through Django's test client
(no network, no browser): the server's share of opening the page.
"""

from __future__ import annotations

import argparse

from common import machine_note, row, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    setup_django(args.db, fresh=True, name="board")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from operations.models import Unit
    from operations.roles import KABAG_OPS
    from tests.board_world import OFFICERS, TARGET_NRP, VILLAGES, build_polres_board
    from tests.factories import UserFactory

    kabag = UserFactory(role=KABAG_OPS, username="bench.kabag")
    operation = build_polres_board(kabag=kabag)
    client = Client(secure=True)
    client.force_login(kabag)
    url = reverse("deployment-board", args=[operation.pk])
    polsek = Unit.objects.filter(kind=Unit.Kind.POLSEK).order_by("name").first()
    cases = [
        ("collapsed", {}),
        ("search by NRP", {"q": TARGET_NRP}),
        ("filtered by one Polsek", {"polsek": polsek.pk}),
    ]
    print(f"Deployment board: {VILLAGES} villages, {OFFICERS} officers posted, db={args.db}")
    machine_note()
    for label, params in cases:
        ms, response = timed(lambda params=params: client.get(url, params), repeat=args.repeat)
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        row(f"board {label}: server time", ms, "ms")
        row(f"board {label}: queries", len(queries), "")
        row(f"board {label}: HTML", len(response.content) / 1024, "KiB")
    machine_note()


if __name__ == "__main__":
    main()

"""A replayed election day's writes and checkpoints, shared by the one-Polres replay
(bench_election_day_national.py) and the whole nation's (election_day_nation.py): every write
through the services, counted and timed, its errors kept; the Posko board and the Lapsit timed
at checkpoints."""

from __future__ import annotations

import statistics
import time
import traceback
import uuid
from dataclasses import dataclass, field

STAGES = ["tps_open", "voting", "counting", "announced", "escort", "at_kecamatan", "done"]
KINDS = ("checkin", "progress", "incident")


@dataclass
class DayTally:
    errors: list[str] = field(default_factory=list)
    spent: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    done: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    steps: int = 0
    board_200: list[float] = field(default_factory=list)
    board_304: list[float] = field(default_factory=list)
    lapsit: list[float] = field(default_factory=list)
    # A wall board asking every ``poll_every`` seconds while the writes go on (``watch``).
    polled_200: list[float] = field(default_factory=list)
    polled_304: list[float] = field(default_factory=list)
    poll_every: float = 4.0
    wall_first: float | None = None
    _wall: tuple | None = None
    _last_poll: float = 0.0
    _etag: str = ""

    def watch(self, user, operation, every: float = 4.0) -> None:
        """Between writes, ask for ``operation``'s board as ``user``'s wall screen does (a test
        client of its own, If-None-Match, every ``every`` seconds of the replay's own time) and
        time each answer; no user: stop (a test client cannot be pickled back from a process)."""
        from django.test import Client

        self._wall = None
        if user is not None:
            wall = Client()
            wall.force_login(user)
            self._wall = (wall, f"/api/v1/operations/{operation.pk}/board/")
            # The wall is opened before the day's first write, as a Posko's is, on a server that
            # has answered before: this process's first request (its code loaded, its statements
            # prepared: 240-470 ms) is timed apart, not as the board after a change.
            started = time.perf_counter()
            self._poll()
            self.wall_first = (time.perf_counter() - started) * 1000
            self.polled_200.clear()
        self.poll_every = every

    def _poll(self) -> None:
        client, url = self._wall
        started = time.perf_counter()
        try:
            response = client.get(url, HTTP_IF_NONE_MATCH=self._etag) if self._etag else client.get(url)
        except Exception as exc:  # counted like a write's
            self.errors.append(f"board polled: {exc!r}"[:200])
            traceback.print_exc()
            return
        finally:
            self._last_poll = time.perf_counter()
        spent = (self._last_poll - started) * 1000
        if response.status_code == 200:
            self.polled_200.append(spent)
            self._etag = response["ETag"]
        elif response.status_code == 304:
            self.polled_304.append(spent)
        else:
            self.errors.append(f"board polled: {response.status_code}")

    def write(self, kind: str, call) -> None:
        from django.db import close_old_connections

        started = time.perf_counter()
        try:
            call()
            self.done[kind] += 1
        except Exception as exc:  # counted, never hidden: the figure is "no error"
            self.errors.append(f"{kind}: {exc!r}"[:200])
        # As a server ends each request: a connection older than CONN_MAX_AGE (60 s) is replaced.
        # Without it one connection served the whole replay, and a statement it prepared while its
        # table was empty kept that plan (a sequential scan, ~11 ms a step once the table held the
        # nation's 84,000 rows: one process ran at half the other's pace).
        close_old_connections()
        self.spent[kind] += time.perf_counter() - started
        if self._wall is not None and time.perf_counter() - self._last_poll >= self.poll_every:
            self._poll()

    def check_in(self, postings, *, kind: str, by) -> None:
        from election_day.services.checkins import checkin_record

        for posting in postings:
            self.write(
                "checkin",
                lambda p=posting: checkin_record(
                    assignment=p, kind=kind, by=by, idempotency_key=uuid.uuid4()
                ),
            )

    def move(self, places, *, stage: str, by, category, every: int, incidents_due: int) -> None:
        """Every (operation, village) of ``places`` to ``stage``; an incident every ``every`` steps
        of the day until ``incidents_due`` are reported."""
        from election_day.services.incidents import incident_report
        from election_day.services.progress import progress_record

        for operation, village in places:
            self.write(
                "progress",
                lambda o=operation, v=village: progress_record(
                    operation=o, village_election=v, stage=stage, by=by, idempotency_key=uuid.uuid4()
                ),
            )
            self.steps += 1
            if self.steps % every == 0 and self.done["incident"] < incidents_due:
                self.write(
                    "incident",
                    lambda o=operation, v=village, n=self.steps: incident_report(
                        operation=o,
                        village_election=v,
                        category=category,
                        severity=1 + n % 2,
                        description="Simulasi: massa berkumpul di depan TPS",
                        by=by,
                        idempotency_key=uuid.uuid4(),
                    ),
                )

    def checkpoint(self, client, operation, repeat: int) -> None:
        """The board ``repeat`` times after a change (200) and unchanged (304), then the Lapsit."""
        from election_day import selectors
        from election_day.lapsit import lapsit_text
        from election_day.services.common import board_changed

        url = f"/api/v1/operations/{operation.pk}/board/"
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            self.board_200.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                self.errors.append(f"board: {response.status_code}")
                return
            started = time.perf_counter()
            response = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
            self.board_304.append((time.perf_counter() - started) * 1000)
            if response.status_code not in (200, 304):  # 200 if the minute turned
                self.errors.append(f"board unchanged: {response.status_code}")
            board_changed(operation_id=operation.pk)  # the next request is "after a change"
        started = time.perf_counter()
        lapsit_text(selectors.lapsit_data(operation=operation))
        self.lapsit.append((time.perf_counter() - started) * 1000)


def print_checkpoints(errors: list[str], watched: DayTally, operation, row) -> None:
    """The errors of the whole replay, and the board and Lapsit timed by ``watched``."""
    from election_day import selectors
    from election_day.lapsit import lapsit_pdf

    row("errors", len(errors), "", target=0)
    for sample in errors[:5]:
        print("     ", sample)
    samples = sorted(watched.board_200)
    row("board after a change, 200: median (ms)", statistics.median(samples), "ms", 30)
    row("board after a change, 200: p95 (ms)", samples[int(0.95 * len(samples))], "ms", 30)
    row("board after a change, 200: max (ms)", samples[-1], "ms", 30)
    row("board unchanged, 304: median (ms)", statistics.median(watched.board_304), "ms", 3)
    # The checkpoints time a board rebuilt in all three parts, ten times in a row after a stage's
    # writes; a wall asks every few seconds while they go on, each answer after the writes of those
    # seconds.
    if watched.polled_200:
        polled = sorted(watched.polled_200)
        row(f"board polled every {watched.poll_every:g} s during the writes: 200s", len(polled), "")
        row("  polled, 200: median (ms)", statistics.median(polled), "ms", 30)
        row("  polled, 200: p95 (ms)", polled[int(0.95 * len(polled))], "ms", 30)
        row("  polled, 200: max (ms)", polled[-1], "ms")
    if watched.polled_304:
        row("  polled, 304: median (ms)", statistics.median(watched.polled_304), "ms", 3)
    if watched.wall_first is not None:
        row("  the wall's first answer, before the day (ms)", watched.wall_first, "ms")
    row("Lapsit data + chat text: max (ms)", max(watched.lapsit), "ms")
    started = time.perf_counter()
    pdf = lapsit_pdf(selectors.lapsit_data(operation=operation))
    row(f"Lapsit PDF at the end ({len(pdf) // 1024} KiB)", (time.perf_counter() - started) * 1000, "ms")

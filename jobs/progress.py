"""Progress of a running job: to the cache for the progress page, or to the terminal for a command.

Both are called as ``progress(rows_read=..., errors=..., total=...)`` as often as the import likes
(every row); they write only every fraction of a second, so reporting costs nothing measurable.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

# What a job is doing, for a work that reads every row first and then saves them all at once.
STAGES = {
    "read": _("Membaca baris"),
    "save": _("Menyimpan ke basis data"),
    "write": _("Menulis berkas"),
    "plan": _("Menghitung"),
}


class Progress(Protocol):
    def __call__(
        self, *, rows_read: int, errors: int = 0, total: int | None = None, stage: str = "read"
    ) -> None: ...


def progress_key(job_id: int) -> str:
    return f"jobs:progress:{job_id}"


class CacheProgress:
    """Counts while the job's transaction is still open, where the database cannot show them to
    another connection: in the cache, which is Redis and so seen by every server with REDIS_URL
    (the web process's own memory in the demo, where the job runs in that process)."""

    def __init__(self, job_id: int, *, every: float = 0.5):
        self.job_id, self.every = job_id, every
        self.last = {"rows_read": 0, "errors": 0, "total": None, "stage": "read"}
        self._written_at = 0.0

    def __call__(
        self, *, rows_read: int, errors: int = 0, total: int | None = None, stage: str = "read"
    ) -> None:
        new_stage = stage != self.last["stage"]
        self.last = {"rows_read": rows_read, "errors": errors, "total": total, "stage": stage}
        now = time.monotonic()
        if new_stage or now - self._written_at >= self.every:
            self._written_at = now
            cache.set(progress_key(self.job_id), self.last, timeout=24 * 3600)


def cached_progress(job_id: int) -> dict | None:
    return cache.get(progress_key(job_id))


def _number(value: float) -> str:
    """12345 as Indonesian writes it: 12.345."""
    return f"{value:,.0f}".replace(",", ".")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class TerminalProgress:
    """A bar with rate and time left on stderr, for the import commands. Silent for the first
    ``after`` seconds, so a small file prints nothing; on a terminal the line is redrawn in place,
    elsewhere (a log, a pipe) one line every ``log_every`` seconds."""

    def __init__(
        self, label: str, *, stream: TextIO | None = None, after: float = 2.0, log_every: float = 10.0
    ):
        self.label = label
        self.stream = stream or sys.stderr
        self.after = after
        self.tty = self.stream.isatty()
        self.every = 0.2 if self.tty else log_every
        self.started = time.monotonic()
        self._written_at = 0.0
        self._shown = False
        self._stage = "read"

    def __call__(
        self, *, rows_read: int, errors: int = 0, total: int | None = None, stage: str = "read"
    ) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        new_stage, self._stage = stage != self._stage, stage
        if elapsed < self.after or (now - self._written_at < self.every and not new_stage):
            return
        self._written_at = now
        self._write(self.line(rows_read=rows_read, errors=errors, total=total, elapsed=elapsed, stage=stage))

    def line(
        self, *, rows_read: int, errors: int, total: int | None, elapsed: float, stage: str = "read"
    ) -> str:
        if stage != "read":
            # One statement for all rows: no rate to show, only that it is at it and for how long.
            doing = f"{STAGES.get(stage, stage)} {_number(rows_read)} baris"
            return f"{self.label} · {doing} · lewat {_duration(elapsed)}"
        rate = rows_read / elapsed if elapsed > 0 else 0.0
        parts = [self.label]
        if total:
            share = min(rows_read / total, 1.0)
            filled = int(share * 24)
            bar = "#" * filled + "-" * (24 - filled)
            parts.append(f"[{bar}] {share:4.0%} {_number(rows_read)}/{_number(total)} baris")
        else:
            parts.append(f"{_number(rows_read)} baris")
        parts.append(f"{_number(rate)} baris/dtk")
        if total and rate > 0:
            parts.append(f"sisa {_duration((total - rows_read) / rate)}")
        parts.append(f"lewat {_duration(elapsed)}")
        if errors:
            parts.append(f"{_number(errors)} kesalahan")
        return " · ".join(parts)

    def _write(self, text: str) -> None:
        self._shown = True
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()

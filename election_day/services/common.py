"""What every election-day write shares: the board version, idempotent replays, triage conflicts."""

from __future__ import annotations

import functools

from django.db import connection
from django.utils.translation import gettext as _

from election_day.models import BoardVersion
from operations.naming import person_label
from pilkades import sqlwrites
from pilkades.errors import WrongState


class KeyReused(Exception):
    """An idempotency key already used for a different request (the API answers 422)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Kunci idempotensi ini sudah dipakai untuk permintaan lain."))
        self.message = str(self.args[0])


def require_same_request(*, stored: dict, sent: dict, same_sender: bool) -> None:
    """A replay is the same request sent again (a phone retrying sends the very same body): another
    sender, or any value of ``sent`` that differs from the stored row's, means the key was reused
    for another request, and the new one must not be answered as if it had been stored."""
    if not same_sender:
        raise KeyReused()
    differ = sorted(name for name, value in sent.items() if stored[name] != value)
    if differ:
        raise KeyReused(
            _("Kunci idempotensi ini sudah dipakai untuk permintaan lain (berbeda: %(fields)s).")
            % {"fields": ", ".join(differ)}
        )


class Conflict(WrongState):
    """Someone else changed the row first: the API answers 409 with this message naming who."""


BOARD_PARTS = ("presence", "progress", "incidents")


def board_changed(*, operation_id: int, parts: tuple[str, ...] = BOARD_PARTS) -> None:
    """Bump the board version, and the counters of the board's ``parts`` this write changes, inside
    the writer's transaction: the board's ETag changes with the version, and each cached part of the
    board (``selectors.board``) is rebuilt only when its own counter moved."""
    sqlwrites.execute(board_change(operation_id=operation_id, parts=parts))


def board_change(*, operation_id: int, parts: tuple[str, ...] = BOARD_PARTS) -> sqlwrites.Statement:
    """``board_changed``'s statement, for a write that sends it with its own row
    (``sqlwrites.insert``'s ``then``).

    One upsert (PostgreSQL and SQLite both have ON CONFLICT): the first write of an operation
    creates the row in the same statement, with no read first and no savepoint around a create.
    """
    unknown = set(parts) - set(BOARD_PARTS)
    if unknown:
        raise ValueError(f"unknown board parts: {sorted(unknown)}")
    return sqlwrites.Statement(_board_statement(connection.vendor, tuple(parts)), [operation_id])


@functools.cache
def _board_statement(vendor: str, parts: tuple[str, ...]) -> str:
    meta = BoardVersion._meta
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.get_field("operation").column)
    names = ("version", *BOARD_PARTS)
    columns = [quote(meta.get_field(name).column) for name in names]
    values = ", ".join("1" if name == "version" or name in parts else "0" for name in names)
    bumped = [
        column for name, column in zip(names, columns, strict=True) if name == "version" or name in parts
    ]
    updates = ", ".join(f"{column} = {table}.{column} + 1" for column in bumped)
    return (
        f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES (%s, {values}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def actor_name(user) -> str:
    """How a user is named to another user (operations.naming)."""
    return person_label(user) if user is not None else "?"

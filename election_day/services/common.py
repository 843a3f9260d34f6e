"""What every election-day write shares: the board version, idempotent replays, triage conflicts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from election_day.models import BoardVersion
from operations.models import Operation


class KeyReused(Exception):
    """An idempotency key already used for a different request (the API answers 422)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("Kunci idempotensi ini sudah dipakai untuk permintaan lain."))
        self.message = str(self.args[0])


class Conflict(Exception):
    """Someone else changed the row first (the API answers 409 with this message naming who)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def board_changed(*, operation_id: int) -> None:
    """Bump the board version inside the writer's transaction: the board's ETag changes with it.

    One upsert (PostgreSQL and SQLite both have ON CONFLICT): the first write of an operation
    creates the row in the same statement, with no read first and no savepoint around a create.
    """
    meta = BoardVersion._meta
    quote = connection.ops.quote_name
    table, key, version = (
        quote(meta.db_table),
        quote(meta.get_field("operation").column),
        quote(meta.get_field("version").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {version}) VALUES (%s, 1) "
            f"ON CONFLICT ({key}) DO UPDATE SET {version} = {table}.{version} + 1",
            [operation_id],
        )


def require_open(operation: Operation) -> None:
    if operation.status == Operation.Status.CLOSED:
        raise ValidationError(_("Operasi %(name)s sudah ditutup.") % {"name": operation.name})


def actor_name(user) -> str:
    """How a user is named to another user: his officer's rank and name, else the login."""
    officer = getattr(user, "officer", None) if user is not None else None
    if officer is not None:
        return f"{officer.get_rank_display()} {officer.name}"
    return user.get_username() if user is not None else "?"

"""The changes feed: every created, updated and deleted row of the setup resources (and reports,
postings, risk settings), read from the audit history (django-simple-history) in one order.

The order is (history_date, resource, history id): a total order over all the history tables, which
a cursor names exactly, so a page boundary neither skips nor repeats a row even when rows of several
tables share a timestamp. A row is listed only once it can no longer roll back: the horizon is
the start of the oldest transaction still open on the database (a history row's timestamp is
taken inside its transaction, after that transaction began), so a row written by a transaction
that commits later than a newer one is still listed in its place, never after the client's cursor
has passed it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import BooleanField, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from operations.models import (
    Assignment,
    BkoContingent,
    Jurisdiction,
    LevelThreshold,
    Officer,
    Operation,
    RiskIndicator,
    RiskReport,
    SecurityPattern,
    Unit,
    VillageRisk,
)
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

# Resource name (as in the API's URLs) → model. Append only: a resource's place is in the cursors
# clients hold.
RESOURCES: tuple[tuple[str, type[Model]], ...] = (
    ("kecamatan", Kecamatan),
    ("desa", Desa),
    ("election", Election),
    ("village-election", VillageElection),
    ("candidate", Candidate),
    ("unit", Unit),
    ("jurisdiction", Jurisdiction),
    ("officer", Officer),
    ("operation", Operation),
    ("bko-contingent", BkoContingent),
    ("risk-indicator", RiskIndicator),
    ("level-threshold", LevelThreshold),
    ("security-pattern", SecurityPattern),
    ("risk-report", RiskReport),
    ("village-risk", VillageRisk),
    ("assignment", Assignment),
)
ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
# Contact data: only for readers who see it on the officer resource (the Kabag Ops).
CONTACT_FIELDS = {"officer": ("phone", "user")}
# Application and database clocks on different hosts: a margin below the database's horizon.
CLOCK_MARGIN = timedelta(seconds=1)
MAX_LIMIT = 500


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Position:
    at: datetime
    resource: int
    history_id: int

    def encode(self, iso: str | None = None) -> str:
        """The opaque cursor; ``iso`` is ``self.at.isoformat()`` when the caller has it already."""
        text = f"{iso or self.at.isoformat()}|{self.resource}|{self.history_id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            at, resource, history_id = text.split("|")
            position = cls(datetime.fromisoformat(at), int(resource), int(history_id))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise BadCursor(cursor) from exc
        if (
            position.at.tzinfo is None
            or not 0 <= position.resource < len(RESOURCES)
            or position.history_id < 0
        ):
            raise BadCursor(cursor)
        return position


@dataclass(frozen=True)
class Change:
    position: Position
    resource: str
    action: str
    object_id: int
    by: str | None
    data: dict


def settled_before() -> datetime:
    """The application's bound on the horizon: now. On PostgreSQL the key statement lowers it to
    the start of the oldest transaction still open, read in the same statement (no round trip of
    its own); SQLite has one writer at a time, and a reader waits for it."""
    return timezone.now()


def _horizon_sql() -> tuple[str, list]:
    """The instant before which no history row can still appear or roll back, as SQL."""
    now = connection.ops.adapt_datetimefield_value(settled_before())
    if connection.vendor != "postgresql":
        return "%s", [now]
    # The margin only where the database's clock (xact_start) meets the application's
    # (history_date). LEAST skips the NULL of "no other transaction open".
    return (
        "LEAST(%s::timestamptz, (SELECT min(xact_start) FROM pg_stat_activity WHERE datname = "
        "current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()) - %s::interval)",
        [now, CLOCK_MARGIN],
    )


@cache
def _history(rank: int) -> tuple[type[Model], str, tuple[str, ...]]:
    """A resource's history model, its quoted table and the fields the feed lists from it. Once per
    process: each read of ``Model.history`` builds a manager class where operations.history has not
    swapped the descriptor (the villages app's models), about half a millisecond each."""
    history = RESOURCES[rank][1].history.model
    names = {field.attname for field in history._meta.concrete_fields}
    model_fields = RESOURCES[rank][1]._meta.concrete_fields
    fields = tuple(field.attname for field in model_fields if field.attname in names)
    return history, connection.ops.quote_name(history._meta.db_table), fields


def _keys_sql(after: Position | None, limit: int) -> tuple[str, list]:
    """One statement for the next keys of every table, the horizon computed inside it: each
    table's range read by its (history_date, history_id) index (LIMIT each), the union ordered
    and cut. One round trip instead of one per table: on a busy server the round trips were most
    of a page's time."""
    adapt = connection.ops.adapt_datetimefield_value
    horizon, params = _horizon_sql()
    parts = []
    for rank in range(len(RESOURCES)):
        where = ["history_date < (SELECT at FROM horizon)"]
        if after is not None:
            at = adapt(after.at)
            if rank > after.resource:
                where.append("history_date >= %s")
                params.append(at)
            elif rank == after.resource:
                where.append("(history_date, history_id) > (%s, %s)")
                params += [at, after.history_id]
            else:
                where.append("history_date > %s")
                params.append(at)
        table = _history(rank)[1]
        parts.append(
            f"SELECT * FROM (SELECT history_date, {rank} AS resource, history_id FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY history_date, history_id LIMIT {int(limit)}) AS t{rank}"
        )
    sql = f"WITH horizon (at) AS (SELECT {horizon}) "
    # The date as text: only sent back as a bound of the rows' range, and a timestamp costs the
    # driver's (Django's) loader more than the rest of the key row.
    sql += "SELECT resource, CAST(history_date AS TEXT), history_id "
    sql += f"FROM ({' UNION ALL '.join(parts)}) AS page_keys "
    sql += f"ORDER BY history_date, resource, history_id LIMIT {int(limit)}"
    return sql, params


def _rows(rank: int, first: tuple, last: tuple, with_contact: bool) -> tuple[tuple[str, ...], list[tuple]]:
    """The data fields of one table, and its history rows from key ``first`` to key ``last`` (both
    as the key statement returned them): one range of its index, no list of ids to send and parse.
    Tuples, not dicts, but through Django's converters (SQLite keeps dates and decimals as text)."""
    name = RESOURCES[rank][0]
    history, table, fields = _history(rank)
    if not with_contact:
        fields = tuple(f for f in fields if f.removesuffix("_id") not in CONTACT_FIELDS.get(name, ()))
    between = RawSQL(
        f"({table}.history_date, {table}.history_id) BETWEEN (%s, %s) AND (%s, %s)",
        (*first, *last),
        output_field=BooleanField(),
    )
    rows = (
        history.objects.filter(between)
        .order_by("history_date", "history_id")
        .values_list("history_id", "history_date", "history_type", "history_user__username", *fields)
    )
    return fields, list(rows)


def changes_since(
    *, after: Position | None, limit: int = MAX_LIMIT, with_contact: bool = False
) -> tuple[list[Change], bool]:
    """Up to ``limit`` changes after ``after`` (from the start when None), and whether more follow.

    One round trip for the next keys of every table (and the horizon), then one per table on the
    page for its rows: the page holds a run of each table's keys in order, so each table's rows
    are one range of its index.
    """
    sql, params = _keys_sql(after, limit + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    has_more = len(keys) > limit
    keys = keys[:limit]
    spans: dict[int, tuple[tuple, tuple]] = {}  # rank → its first and last key on the page
    for rank, history_date, history_id in keys:
        key = (history_date, history_id)
        spans[rank] = (spans[rank][0] if rank in spans else key, key)
    by_key: dict[tuple[int, int], Change] = {}
    for rank, (first, last) in spans.items():
        name, model = RESOURCES[rank]
        pk = model._meta.pk.attname
        fields, rows = _rows(rank, first, last, with_contact)
        for history_id, history_date, history_type, username, *values in rows:
            data = dict(zip(fields, values, strict=True))
            by_key[(rank, history_id)] = Change(
                position=Position(history_date, rank, history_id),
                resource=name,
                action=ACTIONS[history_type],
                object_id=data[pk],
                by=username,
                data=data,
            )
    # The keys decide the page: a row the range held beyond them (none can: every row of the
    # range is below the horizon and was read by the key statement) is not listed.
    return [by_key[(rank, history_id)] for rank, _date, history_id in keys], has_more

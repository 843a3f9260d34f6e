"""The changes feed: every created, updated and deleted row of the setup resources (and reports,
postings, risk settings), read from the audit history (django-simple-history) in one order.

The order is (history_date, resource, history id): a total order over all the history tables, which
a cursor names exactly, so a page boundary neither skips nor repeats a row even when rows of several
tables share a timestamp. A row is listed only once it can no longer roll back: ``settled_before``
is the start of the oldest transaction still open on the database (a history row's timestamp is
taken inside its transaction, after that transaction began), so a row written by a transaction
that commits later than a newer one is still listed in its place, never after the client's cursor
has passed it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Model
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

    def encode(self) -> str:
        text = f"{self.at.isoformat()}|{self.resource}|{self.history_id}"
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
    """The instant before which no history row can still appear or roll back."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now  # SQLite: one writer at a time, and a reader waits for it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
        )
        (oldest,) = cursor.fetchone()
    # The margin only where the database's clock (xact_start) meets the application's (history_date).
    return now if oldest is None else min(now, oldest - CLOCK_MARGIN)


def _data_fields(model: type[Model]) -> list[str]:
    history = model.history.model
    names = {field.attname for field in history._meta.concrete_fields}
    return [field.attname for field in model._meta.concrete_fields if field.attname in names]


def _keys_sql(after: Position | None, horizon: datetime, limit: int) -> tuple[str, list]:
    """One statement for the next keys of every table: each table's range read by its
    history_date index (LIMIT each), the union ordered and cut. One round trip instead of one per
    table: on a busy server the round trips were most of a page's time."""
    adapt = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    parts, params = [], []
    for rank, (_, model) in enumerate(RESOURCES):
        where, part_params = ["history_date < %s"], [adapt(horizon)]
        if after is not None:
            at = adapt(after.at)
            if rank > after.resource:
                where.append("history_date >= %s")
                part_params.append(at)
            elif rank == after.resource:
                where.append("(history_date > %s OR (history_date = %s AND history_id > %s))")
                part_params += [at, at, after.history_id]
            else:
                where.append("history_date > %s")
                part_params.append(at)
        table = quote(model.history.model._meta.db_table)
        parts.append(
            f"SELECT * FROM (SELECT history_date, {rank} AS resource, history_id FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY history_date, history_id LIMIT {int(limit)}) AS t{rank}"
        )
        params += part_params
    sql = f"SELECT resource, history_id FROM ({' UNION ALL '.join(parts)}) AS page_keys "
    sql += f"ORDER BY history_date, resource, history_id LIMIT {int(limit)}"
    return sql, params


def changes_since(
    *, after: Position | None, limit: int = MAX_LIMIT, with_contact: bool = False
) -> tuple[list[Change], bool]:
    """Up to ``limit`` changes after ``after`` (from the start when None), and whether more follow.

    Two round trips for a page of one table: the next keys of every table in one statement, then
    the rows of the keys that made the page (one query per table among them).
    """
    sql, params = _keys_sql(after, settled_before(), limit + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    has_more = len(keys) > limit
    keys = keys[:limit]
    wanted: dict[int, list[int]] = {}
    for rank, history_id in keys:
        wanted.setdefault(rank, []).append(history_id)
    rows_by_key = {}
    for rank, ids in wanted.items():
        name, model = RESOURCES[rank]
        fields = _data_fields(model)
        if not with_contact:
            fields = [f for f in fields if f.removesuffix("_id") not in CONTACT_FIELDS.get(name, ())]
        history = model.history.model
        for row in history.objects.filter(history_id__in=ids).values(
            "history_id", "history_date", "history_type", "history_user__username", *fields
        ):
            rows_by_key[(rank, row.pop("history_id"))] = row
    changes = []
    for rank, history_id in keys:
        name, model = RESOURCES[rank]
        row = rows_by_key[(rank, history_id)]
        changes.append(
            Change(
                position=Position(row.pop("history_date"), rank, history_id),
                resource=name,
                action=ACTIONS[row.pop("history_type")],
                object_id=row[model._meta.pk.attname],
                by=row.pop("history_user__username"),
                data=row,
            )
        )
    return changes, has_more

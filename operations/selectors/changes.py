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
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Model, Q
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


def _after(rank: int, after: Position | None) -> Q:
    if after is None:
        return Q()
    later = Q(history_date__gt=after.at)
    if rank > after.resource:
        return later | Q(history_date=after.at)
    if rank == after.resource:
        return later | Q(history_date=after.at, history_id__gt=after.history_id)
    return later


def changes_since(
    *, after: Position | None, limit: int = MAX_LIMIT, with_contact: bool = False
) -> tuple[list[Change], bool]:
    """Up to ``limit`` changes after ``after`` (from the start when None), and whether more follow.

    Each table is read twice at most: its next keys (an index range on history_date), then, for the
    keys that made the page, their rows.
    """
    horizon = settled_before()
    keys = []
    for rank, (_, model) in enumerate(RESOURCES):
        history = model.history.model
        rows = (
            history.objects.filter(_after(rank, after), history_date__lt=horizon)
            .order_by("history_date", "history_id")
            .values_list("history_date", "history_id")[: limit + 1]
        )
        keys.append([Position(at, rank, history_id) for at, history_id in rows])
    merged = list(heapq.merge(*keys))
    page, has_more = merged[:limit], len(merged) > limit
    wanted: dict[int, list[int]] = {}
    for position in page:
        wanted.setdefault(position.resource, []).append(position.history_id)
    rows_by_key = {}
    for rank, ids in wanted.items():
        name, model = RESOURCES[rank]
        fields = _data_fields(model)
        if not with_contact:
            fields = [f for f in fields if f.removesuffix("_id") not in CONTACT_FIELDS.get(name, ())]
        history = model.history.model
        for row in history.objects.filter(history_id__in=ids).values(
            "history_id", "history_type", "history_user__username", *fields
        ):
            rows_by_key[(rank, row.pop("history_id"))] = row
    changes = []
    for position in page:
        name, model = RESOURCES[position.resource]
        row = rows_by_key[(position.resource, position.history_id)]
        changes.append(
            Change(
                position=position,
                resource=name,
                action=ACTIONS[row.pop("history_type")],
                object_id=row[model._meta.pk.attname],
                by=row.pop("history_user__username"),
                data=row,
            )
        )
    return changes, has_more

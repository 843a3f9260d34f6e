"""The reads of the Posko board's parts (presence, villages' stages, incidents), hand-written.

After a change every open board rebuilds the part it touched, and the replay of the national day
rebuilds all three at once beside a writer at full speed. Through the ORM a board built from
nothing was 17 statements, and compiling them and building their rows cost more than PostgreSQL
spent running them (one Polres of 316 villages: ~15 ms of Python, ~10 ms of statements; 30 ms in
all). Here each part is one or two statements written once per process and shape, run through
``pilkades.sqlrows`` (on PostgreSQL prepared on the connection, so planned once), and each list
counts its whole length in the same statement (``COUNT(*) OVER ()``): 11 statements, 10.5 ms.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from election_day.models import CheckIn, Dispatch, Incident, IncidentCategory, IncidentPhoto, VillageProgress
from operations.models import Assignment, Duty, Officer, VillageStanding
from operations.naming import choice_label, officer_name, person_text
from pilkades import sqlrows
from villages.models import Desa, Kecamatan, VillageElection

LATE_LIST_SIZE = 100


def _rows(sql: str, params: Sequence) -> list[tuple]:
    with sqlrows.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


# --- presence ---------------------------------------------------------------------------------------


@functools.cache
def _counts_statement(vendor: str, stages: int) -> str:
    # Each posting joined to its arrival and its end of duty (at most one of each: the check-ins'
    # unique constraint), counted in one pass: PostgreSQL hashes both joins (2 ms for 2,155
    # postings) where an EXISTS per posting walked the index 8,000 times (16 ms). A check-in is
    # of its posting's operation; saying so lets PostgreSQL hash only this operation's check-ins
    # on the national database, where it otherwise walked the nation's "finished" ones through
    # an index led by the operation (2.8 → 1.3 ms, fresh statistics; the same on a Polres's).
    return f"""
        SELECT COUNT(*),
               COUNT(CASE WHEN c.id IS NOT NULL AND e.id IS NULL THEN 1 END),
               COUNT(e.id)
        FROM {sqlrows.table(Assignment, "a")}
        LEFT JOIN {sqlrows.table(CheckIn, "c")}
          ON c.assignment_id = a.id AND c.kind = %s AND c.operation_id = a.operation_id
        LEFT JOIN {sqlrows.table(CheckIn, "e")}
          ON e.assignment_id = a.id AND e.kind = %s AND e.operation_id = a.operation_id
        WHERE a.operation_id = %s AND a.stage IN ({_marks(stages)})
    """


@functools.cache
def _late_statement(vendor: str, stages: int) -> str:
    # NOT EXISTS, not the counting join: PostgreSQL estimates an anti-join well, and "arrival IS
    # NULL" after a left join as one row (nested loops over every posting: 15 ms, not 7).
    return f"""
        SELECT f.rank, f.name, f.nrp, a.duty, a.village_election_id,
               d.name, k.name, COUNT(*) OVER ()
        FROM {sqlrows.table(Assignment, "a")}
        JOIN {sqlrows.table(Officer, "f")} ON f.id = a.officer_id
        LEFT JOIN {sqlrows.table(VillageElection, "v")} ON v.id = a.village_election_id
        LEFT JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
        LEFT JOIN {sqlrows.table(Kecamatan, "k")} ON k.id = a.kecamatan_id
        WHERE a.operation_id = %s AND a.stage IN ({_marks(stages)})
          AND NOT EXISTS (
            SELECT 1 FROM {sqlrows.table(CheckIn, "c")} WHERE c.assignment_id = a.id AND c.kind = %s
          )
        ORDER BY d.name, f.rank DESC, a.id
        LIMIT {LATE_LIST_SIZE}
    """


@functools.cache
def _far_statement(vendor: str, stages: int) -> str:
    return f"""
        SELECT f.rank, f.name, f.nrp, d.name, c.distance_m, COUNT(*) OVER ()
        FROM {sqlrows.table(CheckIn, "c")}
        JOIN {sqlrows.table(Officer, "f")} ON f.id = c.officer_id
        LEFT JOIN {sqlrows.table(VillageElection, "v")} ON v.id = c.village_election_id
        LEFT JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
        WHERE c.operation_id = %s AND c.stage IN ({_marks(stages)})
          AND c.kind = %s AND c.distance_m > %s
        ORDER BY c.distance_m DESC, c.id
        LIMIT {LATE_LIST_SIZE}
    """


def far(*, operation_id: int, stages: Sequence[str]) -> dict:
    """Arrivals on duty reported farther from the desa's point than CHECKIN_FAR_METRES, farthest
    first: the Posko asks these officers where they are."""
    limit = settings.CHECKIN_FAR_METRES
    rows = _rows(
        _far_statement(connection.vendor, len(stages)),
        [operation_id, *stages, CheckIn.Kind.ARRIVED.value, limit],
    )
    return {
        "threshold_m": limit,
        "total": rows[0][-1] if rows else 0,
        "officers": [
            {"officer": officer_name(rank, name), "nrp": nrp, "place": desa or "", "distance_m": metres}
            for rank, name, nrp, desa, metres, _total in rows
        ],
    }


def presence(*, operation_id: int, stages: Sequence[str], late_since: dict[str, datetime]) -> dict:
    """Planned, present and finished over the postings of ``stages``; the late list over the stages
    in ``late_since`` (stage: when a posting not arrived by then is late)."""
    arrived, finished = CheckIn.Kind.ARRIVED.value, CheckIn.Kind.FINISHED.value
    planned, present, done = _rows(
        _counts_statement(connection.vendor, len(stages)), [arrived, finished, operation_id, *stages]
    )[0]
    late, late_total = [], 0
    if late_since:
        rows = _rows(
            _late_statement(connection.vendor, len(late_since)), [operation_id, *sorted(late_since), arrived]
        )
        late_total = rows[0][-1] if rows else 0
        late = [
            {
                "officer": officer_name(rank, name),
                "nrp": nrp,
                "duty": choice_label(Duty, duty),
                "place": desa if village_id else (kecamatan or ""),
            }
            for rank, name, nrp, duty, village_id, desa, kecamatan, _total in rows
        ]
    return {
        "far": far(operation_id=operation_id, stages=stages),
        "personnel": {"planned": planned, "present": present, "finished": done},
        "late": {
            "since": timezone.localtime(min(late_since.values())).isoformat() if late_since else None,
            "total": late_total,
            "officers": late,
        },
    }


# --- the villages' stages ---------------------------------------------------------------------------


@functools.cache
def _progress_statement(vendor: str) -> str:
    return (
        f"SELECT p.village_election_id, p.stage FROM {sqlrows.table(VillageProgress, 'p')} "
        f"WHERE p.operation_id = %s"
    )


def progress(*, operation_id: int) -> dict[str, str]:
    """Each village election's stage (JSON-safe keys: the part may sit in a cache that stores JSON)."""
    return {str(ve): stage for ve, stage in _rows(_progress_statement(connection.vendor), [operation_id])}


@functools.cache
def _villages_statement(vendor: str) -> str:
    # Joined within the operation's election: a lookup per village as a subquery was planned as a
    # scan of the whole (small) village-election table per village in a Polres-sized database
    # (316 × 316 rows, 18.7 ms; joined: 0.8 ms), and a join without the election hashed every
    # village election of the nation on the national one (84,072 rows, 12.9 ms).
    return f"""
        SELECT s.village_election_id, s.desa_code, s.desa_name, s.kecamatan_name, s.level,
               d.latitude, d.longitude
        FROM {sqlrows.table(VillageStanding, "s")}
        JOIN {sqlrows.table(VillageElection, "v")} ON v.id = s.village_election_id AND v.election_id = %s
        JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
        WHERE s.operation_id = %s
        ORDER BY s.desa_code
    """


def villages(*, operation_id: int, election_id: int) -> list[tuple]:
    """(village election, desa code, desa, kecamatan, level, latitude, longitude) of every village
    of the operation, by desa code. The point is as the database gives it (a number, or None): the
    board wants floats (``geo.point_of``), so the ORM's Decimal is not built (2.6 ms a board)."""
    return _rows(_villages_statement(connection.vendor), [election_id, operation_id])


# --- incidents --------------------------------------------------------------------------------------


@functools.cache
def _tally_statement(vendor: str) -> str:
    return f"""
        SELECT i.village_election_id, i.severity, i.state, COUNT(*)
        FROM {sqlrows.table(Incident, "i")}
        WHERE i.operation_id = %s
        GROUP BY i.village_election_id, i.severity, i.state
    """


_FEED = sqlrows.Columns(
    Incident,
    "i",
    (
        "id",
        "state",
        "severity",
        "village_election",
        "description",
        "reported_at",
        "reported_by",
        "acknowledged_by",
        "resolved_by",
        "resolution_note",
    ),
)


@functools.cache
def _feed_statement(vendor: str, limited: bool) -> str:
    photos, dispatches = sqlrows.table(IncidentPhoto, "ph"), sqlrows.table(Dispatch, "dx")
    return f"""
        SELECT {_FEED.sql()}, g.name, d.name,
               k.name,
               (SELECT COUNT(*) FROM {photos} WHERE ph.incident_id = i.id),
               (SELECT COUNT(*) FROM {dispatches} WHERE dx.incident_id = i.id)
        FROM {sqlrows.table(Incident, "i")}
        LEFT JOIN {sqlrows.table(IncidentCategory, "g")} ON g.id = i.category_id
        JOIN {sqlrows.table(VillageElection, "v")} ON v.id = i.village_election_id
        JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
        JOIN {sqlrows.table(Kecamatan, "k")} ON k.id = d.kecamatan_id
        WHERE i.operation_id = %s
        ORDER BY i.reported_at DESC, i.id DESC
        {"LIMIT %s" if limited else ""}
    """


@functools.cache
def _people_statement(vendor: str, count: int) -> str:
    user = get_user_model()
    return f"""
        SELECT u.id, u.username, u.first_name,
               u.last_name, f.rank, f.name
        FROM {sqlrows.table(user, "u")}
        LEFT JOIN {sqlrows.table(Officer, "f")} ON f.user_id = u.id
        WHERE u.id IN ({_marks(count)})
    """


def people(user_ids: set[int]) -> dict[int, str]:
    """How each user is named on the board (operations.naming)."""
    if not user_ids:
        return {}
    ids = sorted(user_ids)
    return {
        pk: person_text(rank=rank, name=name, full_name=f"{first} {last}", username=username)
        for pk, username, first, last, rank, name in _rows(
            _people_statement(connection.vendor, len(ids)), ids
        )
    }


def incident_rows(*, operation_id: int, limit: int | None) -> list[dict]:
    """The operation's newest ``limit`` incidents (all when None) as the board and the Lapsit list
    them: one statement, and one for the people named in them."""
    params = [operation_id] if limit is None else [operation_id, limit]
    rows = []
    for row in _rows(_feed_statement(connection.vendor, limit is not None), params):
        head, tail = sqlrows.split(row, _FEED)
        rows.append((sqlrows.values(_FEED, head), tail))
    named = people({user for values, _tail in rows for user in values[6:9] if user is not None})
    return [
        {
            "id": pk,
            "state": state,
            "state_label": choice_label(Incident.State, state),
            "severity": severity,
            "category": category or "",
            "desa": desa,
            "kecamatan": kecamatan,
            "village_election": village_election_id,
            "description": description,
            "reported_at": timezone.localtime(reported_at).isoformat(),
            "reported_by": named.get(reported_by, ""),
            "acknowledged_by": named.get(acknowledged_by, ""),
            "resolved_by": named.get(resolved_by, ""),
            "resolution_note": note,
            "photos": photos,
            "dispatched": dispatched,
        }
        for (
            (
                pk,
                state,
                severity,
                village_election_id,
                description,
                reported_at,
                reported_by,
                acknowledged_by,
                resolved_by,
                note,
            ),
            (category, desa, kecamatan, photos, dispatched),
        ) in rows
    ]


def incidents(*, operation_id: int, feed_size: int | None) -> dict:
    """Open incidents by severity and per village, the closed count, and the feed."""
    resolved = Incident.State.RESOLVED.value
    open_by_severity, open_count, worst_open, closed = {}, {}, {}, 0
    for ve_id, severity, state, count in _rows(_tally_statement(connection.vendor), [operation_id]):
        if state == resolved:
            closed += count
            continue
        open_by_severity[severity] = open_by_severity.get(severity, 0) + count
        open_count[ve_id] = open_count.get(ve_id, 0) + count
        worst_open[ve_id] = max(severity, worst_open.get(ve_id, 0))
    return {
        "open": {str(level): open_by_severity.get(level, 0) for level in (1, 2, 3)},
        "closed": closed,
        "feed": incident_rows(operation_id=operation_id, limit=feed_size),
        # JSON-safe keys: the part may sit in a cache that stores JSON.
        "open_per_village": {str(k): v for k, v in open_count.items()},
        "worst_per_village": {str(k): v for k, v in worst_open.items()},
    }

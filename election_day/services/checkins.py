"""Check-ins: an officer (or his team leader) reports arrival at the post, later the end of duty."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from election_day import permissions
from election_day.geo import distance_km, point_of
from election_day.models import CheckIn, StageWindow
from election_day.services.common import actor_name, board_change, require_same_request
from operations.models import Assignment, Officer, Operation, Stage
from operations.services.setup import require_open
from pilkades import sqlrows, sqlwrites
from villages.models import Desa, VillageElection


@dataclass(frozen=True)
class Position:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None


def _local_time(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def stage_refusal(
    *, stage: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> ValidationError | None:
    """Why a check-in for ``stage`` is refused at ``now`` given its window (None: no window set)."""
    label = Stage(stage).label
    if starts_at is None:
        return ValidationError(
            {"assignment": _("Jadwal tahap %(stage)s belum ditetapkan Posko.") % {"stage": label}}
        )
    if now < starts_at:
        return ValidationError(
            {
                "assignment": _("Tahap %(stage)s belum dimulai (mulai %(time)s).")
                % {"stage": label, "time": _local_time(starts_at)}
            }
        )
    if ends_at is not None and now > ends_at:
        return ValidationError(
            {
                "assignment": _("Tahap %(stage)s sudah ditutup (%(time)s).")
                % {"stage": label, "time": _local_time(ends_at)}
            }
        )
    return None


def _validate_position(position: Position | None) -> None:
    if position is None:
        return
    errors = {}
    if not -90 <= position.latitude <= 90:
        errors["latitude"] = [_("Lintang harus antara -90 dan 90.")]
    if not -180 <= position.longitude <= 180:
        errors["longitude"] = [_("Bujur harus antara -180 dan 180.")]
    if position.accuracy_m is not None and position.accuracy_m < 0:
        errors["accuracy_m"] = [_("Akurasi tidak boleh negatif.")]
    if errors:
        raise ValidationError(errors)


def _replay(
    existing: CheckIn,
    *,
    assignment_id: int,
    kind: str,
    by: AbstractBaseUser,
    position: Position | None,
    client_time: datetime | None,
) -> CheckIn:
    require_same_request(
        stored={
            "assignment": existing.assignment_id,
            "kind": existing.kind,
            "latitude": existing.latitude,
            "longitude": existing.longitude,
            "accuracy_m": existing.accuracy_m,
            "client_time": existing.client_time,
        },
        sent={
            "assignment": assignment_id,
            "kind": kind,
            "latitude": position.latitude if position else None,
            "longitude": position.longitude if position else None,
            "accuracy_m": position.accuracy_m if position else None,
            "client_time": client_time,
        },
        same_sender=existing.recorded_by_id == by.pk,
    )
    return existing


def is_far(checkin: CheckIn) -> bool:
    """An arrival reported farther from its desa's point than CHECKIN_FAR_METRES (the Posko lists it)."""
    return (
        checkin.kind == CheckIn.Kind.ARRIVED
        and checkin.distance_m is not None
        and checkin.distance_m > settings.CHECKIN_FAR_METRES
    )


def _distance_m(assignment: Assignment, position: Position | None) -> int | None:
    if position is None:
        return None
    point = point_of(assignment.desa_latitude, assignment.desa_longitude)
    if point is None:
        return None
    return round(distance_km((float(position.latitude), float(position.longitude)), point) * 1000)


_POSTING = sqlrows.Columns(Assignment, "a")
_OPERATION = sqlrows.Columns(Operation, "o")
_OFFICER = sqlrows.Columns(Officer, "f")
_WINDOW = sqlrows.Columns(StageWindow, "w", ("starts_at", "ends_at"))
_DESA_POINT = sqlrows.Columns(Desa, "d", ("latitude", "longitude"))


@functools.cache
def _posting_statement(vendor: str) -> str:
    lock = ""
    if connection.features.has_select_for_update_of:
        lock = "FOR UPDATE OF a"
    elif connection.features.has_select_for_update:
        lock = "FOR UPDATE"
    columns = ", ".join(c.sql() for c in (_POSTING, _OPERATION, _OFFICER, _WINDOW, _DESA_POINT))
    return f"""
        SELECT {columns}
        FROM {sqlrows.table(Assignment, "a")}
        JOIN {sqlrows.table(Operation, "o")} ON o.id = a.operation_id
        JOIN {sqlrows.table(Officer, "f")} ON f.id = a.officer_id
        LEFT JOIN {sqlrows.table(StageWindow, "w")} ON w.operation_id = a.operation_id AND w.stage = a.stage
        LEFT JOIN {sqlrows.table(VillageElection, "v")} ON v.id = a.village_election_id
        LEFT JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
        WHERE a.id = %s {lock}
    """


def _locked_posting(assignment_id: int) -> Assignment:
    """The posting, locked, with what the check-in reads: its operation and officer, the window of
    its stage (``window_starts``/``window_ends``, None when unset) and its desa's point
    (``desa_latitude``/``desa_longitude``), in one hand-written statement (``pilkades.sqlrows``:
    the ORM's compiling of this read cost more than the rest of the service)."""
    with sqlrows.cursor() as cursor:
        cursor.execute(_posting_statement(connection.vendor), [assignment_id])
        row = cursor.fetchone()
    if row is None:
        raise ValidationError({"assignment": _("Penugasan %(id)s tidak ditemukan.") % {"id": assignment_id}})
    parts = sqlrows.split(row, _POSTING, _OPERATION, _OFFICER, _WINDOW, _DESA_POINT)
    posting = sqlrows.instance(_POSTING, parts[0])
    posting.operation = sqlrows.instance(_OPERATION, parts[1])
    posting.officer = sqlrows.instance(_OFFICER, parts[2])
    posting.window_starts, posting.window_ends = sqlrows.values(_WINDOW, parts[3])
    posting.desa_latitude, posting.desa_longitude = sqlrows.values(_DESA_POINT, parts[4])
    return posting


def checkin_record(
    *,
    assignment: Assignment | int,
    kind: str,
    by: AbstractBaseUser,
    idempotency_key: uuid.UUID,
    position: Position | None = None,
    client_time: datetime | None = None,
    now: datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Record an arrival or an end of duty; returns (check-in, created).

    The same request sent again (a phone retrying over a poor signal) returns the first check-in; the same
    key with another posting, kind, position or phone time is refused (KeyReused). The posting's row is
    locked, so two taps at once record one arrival; the table's unique constraint is the last line.
    ``assignment`` is the posting or its id (the API passes the id: the service reads the posting anyway).
    """
    assignment_id = assignment if isinstance(assignment, int) else assignment.pk
    try:
        return _record(
            assignment_id=assignment_id,
            kind=kind,
            by=by,
            idempotency_key=idempotency_key,
            position=position,
            client_time=client_time,
            now=now,
        )
    except IntegrityError as exc:
        # The same key raced in from a second connection (the transaction above is rolled back):
        # answer like a replay.
        raced = CheckIn.objects.filter(idempotency_key=idempotency_key).first()
        if raced is not None:
            return _replay(
                raced,
                assignment_id=assignment_id,
                kind=kind,
                by=by,
                position=position,
                client_time=client_time,
            ), False
        raise ValidationError({"kind": _("Laporan ini sudah tercatat.")}) from exc


def _recorded(assignment_id: int, idempotency_key: uuid.UUID) -> tuple[list[tuple[int, str]], int | None]:
    """The posting's check-ins as (id, kind), and the id of a check-in sent with this key (a replay),
    in one hand-written read: the full rows are loaded only for a replay or a refusal."""
    key = CheckIn._meta.get_field("idempotency_key").get_db_prep_value(idempotency_key, connection)
    with sqlrows.cursor() as cursor:
        cursor.execute(
            f"SELECT id, assignment_id, kind, idempotency_key = %s FROM {sqlrows.table(CheckIn, 'c')}"
            " WHERE idempotency_key = %s OR assignment_id = %s",
            [key, key, assignment_id],
        )
        rows = cursor.fetchall()
    replay = next((pk for pk, _posting, _kind, same_key in rows if same_key), None)
    return [(pk, kind) for pk, posting, kind, _same in rows if posting == assignment_id], replay


@transaction.atomic
def _record(
    *,
    assignment_id: int,
    kind: str,
    by: AbstractBaseUser,
    idempotency_key: uuid.UUID,
    position: Position | None,
    client_time: datetime | None,
    now: datetime | None,
) -> tuple[CheckIn, bool]:
    # The posting is locked first, then one read brings both its check-ins and a check-in already
    # sent with this key (a replay): each request costs the same few round trips.
    assignment = _locked_posting(assignment_id)
    recorded, replay = _recorded(assignment.pk, idempotency_key)
    if replay is not None:
        existing = CheckIn.objects.select_related("officer").get(pk=replay)
        return _replay(
            existing,
            assignment_id=assignment.pk,
            kind=kind,
            by=by,
            position=position,
            client_time=client_time,
        ), False
    if kind not in CheckIn.Kind.values:
        raise ValidationError({"kind": _("Jenis laporan tidak dikenal.")})
    if not permissions.can_check_in(by, assignment):
        raise PermissionDenied(
            _("Anda hanya dapat melapor untuk penugasan Anda sendiri atau tim yang Anda pimpin.")
        )
    now = now or timezone.now()
    require_open(assignment.operation)
    refusal = stage_refusal(
        stage=assignment.stage, starts_at=assignment.window_starts, ends_at=assignment.window_ends, now=now
    )
    if refusal is not None:
        raise refusal
    _validate_position(position)
    done = {done_kind: pk for pk, done_kind in recorded}
    if kind in done:
        first = CheckIn.objects.select_related("recorded_by__officer").get(pk=done[kind])
        message = (
            _("Kedatangan sudah tercatat pukul %(time)s oleh %(who)s.")
            if kind == CheckIn.Kind.ARRIVED
            else _("Selesai tugas sudah tercatat pukul %(time)s oleh %(who)s.")
        )
        raise ValidationError(
            {"kind": message % {"time": _local_time(first.recorded_at), "who": actor_name(first.recorded_by)}}
        )
    if kind == CheckIn.Kind.FINISHED and CheckIn.Kind.ARRIVED not in done:
        raise ValidationError({"kind": _("Belum lapor tiba di lokasi; laporkan tiba lebih dulu.")})
    checkin = CheckIn(
        assignment=assignment,
        operation_id=assignment.operation_id,
        officer=assignment.officer,  # loaded with the posting: the answer names him without a query
        stage=assignment.stage,
        village_election_id=assignment.village_election_id,
        kind=kind,
        client_time=client_time,
        latitude=position.latitude if position else None,
        longitude=position.longitude if position else None,
        accuracy_m=position.accuracy_m if position else None,
        distance_m=_distance_m(assignment, position),
        recorded_by=by,
        idempotency_key=idempotency_key,
    )
    sqlwrites.insert(
        checkin,
        history_user=by,
        then=lambda _row: [board_change(operation_id=assignment.operation_id, parts=("presence",))],
    )
    return checkin, True

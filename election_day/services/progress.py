"""Village progress through the day: the team leader moves the village along its stages."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from election_day import permissions
from election_day.models import MARKS, PROGRESS_ORDER, ProgressStage, ProgressStep, VillageProgress
from election_day.services.common import board_change, require_same_request
from operations.models import Operation
from operations.services.setup import require_open
from pilkades import sqlrows, sqlwrites
from villages.models import Desa, VillageElection


def is_backward(*, previous: str | None, stage: str) -> bool:
    """A step to an earlier stage of the day (a mark — ditunda/ulang — is never a step back)."""
    if previous is None or stage in MARKS:
        return False
    return PROGRESS_ORDER[ProgressStage(stage)] < PROGRESS_ORDER[ProgressStage(previous)]


def _replay(
    existing: ProgressStep,
    *,
    operation_id: int,
    village_election_id: int,
    stage: str,
    by: AbstractBaseUser,
    reason: str,
    client_time: datetime | None,
) -> ProgressStep:
    require_same_request(
        stored={
            "operation": existing.operation_id,
            "village_election": existing.village_election_id,
            "stage": existing.stage,
            "reason": existing.reason,
            "client_time": existing.client_time,
        },
        sent={
            "operation": operation_id,
            "village_election": village_election_id,
            "stage": stage,
            "reason": (reason or "").strip(),
            "client_time": client_time,
        },
        same_sender=existing.recorded_by_id == by.pk,
    )
    return existing


def progress_record(
    *,
    operation: Operation | int,
    village_election: VillageElection | int,
    stage: str,
    by: AbstractBaseUser,
    reason: str = "",
    idempotency_key: uuid.UUID | None = None,
    client_time: datetime | None = None,
) -> tuple[ProgressStep, bool]:
    """Move a village to ``stage``; returns (step, created).

    Forward steps may skip stages (a team leader reporting late). A step back, a postponement and a
    repeat vote need a written reason. The village's progress row is locked, so two updates at
    once are ordered and the second one is judged against the first.

    The same key sent again returns the first step, the same key with another request is refused
    (KeyReused). The key is looked up only when the write does not go through (refused, or the
    key's unique constraint tripped): a first send, the usual case, costs no read for it.

    ``operation`` and ``village_election`` are rows or ids: both are read again inside the
    transaction (one statement), so a step never goes through on an operation closed meanwhile,
    and the API passes the ids it was sent without reading them first.
    """
    operation_id = _id(operation)
    village_election_id = _id(village_election)
    try:
        return _record(
            operation_id=operation_id,
            village_election_id=village_election_id,
            stage=stage,
            by=by,
            reason=reason,
            idempotency_key=idempotency_key,
            client_time=client_time,
        ), True
    except (ValidationError, PermissionDenied, IntegrityError):
        existing = (
            ProgressStep.objects.filter(idempotency_key=idempotency_key).first()
            if idempotency_key is not None
            else None
        )
        if existing is None:
            raise
        return _replay(
            existing,
            operation_id=operation_id,
            village_election_id=village_election_id,
            stage=stage,
            by=by,
            reason=reason,
            client_time=client_time,
        ), False


def _id(row_or_id) -> int:
    return row_or_id if isinstance(row_or_id, int) else row_or_id.pk


_OPERATION = sqlrows.Columns(Operation, "o")
_VILLAGE = sqlrows.Columns(VillageElection, "v")
_DESA = sqlrows.Columns(Desa, "d", ("id", "code", "name", "kecamatan"))  # not its outline
_PROGRESS = sqlrows.Columns(VillageProgress, "p")


@functools.cache
def _statements(vendor: str) -> tuple[str, str]:
    """The two hand-written reads of a step (``pilkades.sqlrows``: compiling them through the ORM
    cost more than running them): the operation with the village and its desa; the village's
    progress row, locked."""
    lock = "FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = f"""
        SELECT {_OPERATION.sql()}, {_VILLAGE.sql()}, {_DESA.sql()}
        FROM (SELECT 1 AS one) AS x
        LEFT JOIN {sqlrows.table(Operation, "o")} ON o.id = %s
        LEFT JOIN {sqlrows.table(VillageElection, "v")} ON v.id = %s
        LEFT JOIN {sqlrows.table(Desa, "d")} ON d.id = v.desa_id
    """
    progress = f"""
        SELECT {_PROGRESS.sql()} FROM {sqlrows.table(VillageProgress, "p")}
        WHERE p.operation_id = %s AND p.village_election_id = %s {lock}
    """
    return rows, progress


def _operation_and_village(operation_id: int, village_election_id: int) -> tuple[Operation, VillageElection]:
    with sqlrows.cursor() as cursor:
        cursor.execute(_statements(connection.vendor)[0], [operation_id, village_election_id])
        row = cursor.fetchone()
    operation, village, desa, _rest = sqlrows.split(row, _OPERATION, _VILLAGE, _DESA)
    errors = {}
    if operation[0] is None:
        errors["operation"] = _("Operasi %(id)s tidak ditemukan.") % {"id": operation_id}
    if village[0] is None:
        errors["village_election"] = _("Pilkades desa %(id)s tidak ditemukan.") % {"id": village_election_id}
    if errors:
        raise ValidationError(errors)
    village_election = sqlrows.instance(_VILLAGE, village)
    village_election.desa = sqlrows.instance(_DESA, desa)
    return sqlrows.instance(_OPERATION, operation), village_election


def _locked_progress(*, operation: Operation, village_election: VillageElection, stage: str, now):
    """The village's progress row, locked; created at ``stage`` if it has none (then created=True)."""
    with sqlrows.cursor() as cursor:
        cursor.execute(_statements(connection.vendor)[1], [operation.pk, village_election.pk])
        row = cursor.fetchone()
    if row is not None:
        return sqlrows.instance(_PROGRESS, row), False
    _row, created = VillageProgress.objects.get_or_create(
        operation=operation,
        village_election=village_election,
        defaults={"stage": stage, "updated_at": now},
    )
    locked = VillageProgress.objects.select_for_update().get(
        operation=operation, village_election=village_election
    )
    return locked, created


@transaction.atomic
def _record(
    *,
    operation_id: int,
    village_election_id: int,
    stage: str,
    by: AbstractBaseUser,
    reason: str,
    idempotency_key: uuid.UUID | None,
    client_time: datetime | None,
) -> ProgressStep:
    operation, village_election = _operation_and_village(operation_id, village_election_id)
    if not permissions.can_update_progress(by, operation_id=operation.pk, village_election=village_election):
        raise PermissionDenied(_("Anda hanya dapat memperbarui desa di wilayah atau penugasan Anda."))
    require_open(operation)
    if village_election.election_id != operation.election_id:
        raise ValidationError({"village_election": _("Desa ini tidak termasuk pilkades operasi ini.")})
    if stage not in ProgressStage.values:
        raise ValidationError({"stage": _("Tahap desa tidak dikenal.")})
    reason = (reason or "").strip()
    current, created = _locked_progress(
        operation=operation, village_election=village_election, stage=stage, now=timezone.now()
    )
    previous = None if created else current.stage
    if previous == stage:
        raise ValidationError(
            {"stage": _("Desa sudah berada pada tahap %(stage)s.") % {"stage": ProgressStage(stage).label}}
        )
    backward = is_backward(previous=previous, stage=stage)
    if backward and not reason:
        raise ValidationError(
            {
                "reason": _("Mundur dari %(from)s ke %(to)s wajib disertai alasan.")
                % {"from": ProgressStage(previous).label, "to": ProgressStage(stage).label}
            }
        )
    if stage in MARKS and not reason:
        raise ValidationError({"reason": _("Penundaan atau pemungutan ulang wajib disertai alasan.")})
    step = ProgressStep(
        operation=operation,
        village_election=village_election,
        stage=stage,
        previous_stage=previous or "",
        is_backward=backward,
        reason=reason,
        recorded_by=by,
        idempotency_key=idempotency_key,
        client_time=client_time,
    )

    def village_moves(step: ProgressStep) -> list[sqlwrites.Statement]:
        current.stage = stage
        current.updated_at = step.recorded_at
        return [
            sqlwrites.update_statement(current, ["stage", "updated_at"]),
            board_change(operation_id=operation.pk, parts=("progress",)),
        ]

    sqlwrites.insert(step, history_user=by, then=village_moves)
    return step

"""Lapsit snapshots (hourly, by hand) and closing the operation with its final report (laporan akhir)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from election_day import permissions, selectors
from election_day.lapsit import lapsit_text, timeline_line
from election_day.models import LapsitSnapshot
from election_day.services.common import board_changed
from operations.models import Operation
from operations.services.setup import require_open

Kind = LapsitSnapshot.Kind
_HOUR = timedelta(hours=1)


def lapsit_snapshot_take(
    *,
    operation: Operation,
    kind: str = Kind.HOURLY,
    by: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> tuple[LapsitSnapshot, bool]:
    """Store the Lapsit of this moment; returns (snapshot, created).

    An hourly snapshot is taken once per clock hour: a timer that fires twice (a restart, two
    hosts) stores one, so ``manage.py lapsit_snapshot`` can run as often as one likes.
    """
    now = now or timezone.now()
    if kind == Kind.HOURLY:
        hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        existing = LapsitSnapshot.objects.filter(
            operation=operation, kind=Kind.HOURLY, taken_at__gte=hour, taken_at__lt=hour + _HOUR
        ).first()
        if existing is not None:
            return existing, False
    data = selectors.lapsit_data(operation=operation, now=now)
    snapshot = LapsitSnapshot.objects.create(
        operation=operation, kind=kind, taken_at=now, text=lapsit_text(data), data=data, taken_by=by
    )
    return snapshot, True


def final_report_data(*, operation: Operation, now: datetime) -> dict:
    """The Lapsit of the closing moment with the day's chronology from the hourly snapshots."""
    data = selectors.lapsit_data(operation=operation, now=now)
    snapshots = LapsitSnapshot.objects.filter(operation=operation, kind=Kind.HOURLY).order_by("taken_at")
    data["final"] = True
    data["closed_at"] = timezone.localtime(now).isoformat()
    data["timeline"] = [timeline_line(s.data) for s in snapshots]
    return data


@transaction.atomic
def operation_close(*, operation: Operation, by: AbstractBaseUser) -> LapsitSnapshot:
    """The Kabag Ops closes the operation: no more check-ins, progress or incidents; the final report."""
    if not permissions.can_triage(by):
        raise PermissionDenied(_("Hanya Kabag Ops yang menutup operasi."))
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    require_open(operation)
    now = timezone.now()
    data = final_report_data(operation=operation, now=now)
    data["operation"]["status"] = Operation.Status.CLOSED
    snapshot = LapsitSnapshot.objects.create(
        operation=operation, kind=Kind.FINAL, taken_at=now, text=lapsit_text(data), data=data, taken_by=by
    )
    operation.status = Operation.Status.CLOSED
    operation.save(update_fields=["status"])
    board_changed(operation_id=operation.pk)
    return snapshot

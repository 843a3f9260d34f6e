"""Stage windows: when each stage of an operation runs (check-ins are taken inside it, lateness
counts from its start). Set by the Kabag Ops, in the admin or through the API, by these functions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from election_day import permissions
from election_day.models import StageWindow
from election_day.services.common import board_changed
from operations.models import Operation
from operations.services.setup import require_open


def _check(window: StageWindow, by: AbstractBaseUser) -> None:
    if not permissions.can_triage(by):
        raise PermissionDenied(_("Hanya Kabag Ops yang menetapkan jadwal tahap."))
    # The operation it is moved to and the one it was in: a closed operation's schedule stays.
    stored = StageWindow.objects.filter(pk=window.pk).values_list("operation_id", flat=True).first()
    for operation in Operation.objects.select_for_update().filter(
        pk__in={window.operation_id, stored} - {None}
    ):
        require_open(operation)


@transaction.atomic
def stage_window_save(*, window: StageWindow, by: AbstractBaseUser) -> StageWindow:
    """Check and write a window; the board's lateness and current stage follow it at once."""
    _check(window, by)
    window.full_clean()
    window.save()
    board_changed(operation_id=window.operation_id)
    return window


@transaction.atomic
def stage_window_delete(*, window: StageWindow, by: AbstractBaseUser) -> None:
    _check(window, by)
    operation_id = window.operation_id
    window.delete()
    board_changed(operation_id=operation_id)

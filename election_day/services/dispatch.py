"""Dispatch: the Kabag Ops sends a team to an incident with one click on the proposed team.

The officers' postings change through operations' own assignment services (the old posting is
deleted, a village-guard posting at the incident's village created, both in the history with the
Kabag Ops as the actor), so every posting rule — double booking, neutrality, jurisdiction — holds
for a dispatch as for any posting. The operation row is locked first: two dispatches at once are
judged one after the other against the same pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from election_day import selectors
from election_day.dispatch import team_problem
from election_day.models import CheckIn, Dispatch, Incident
from election_day.services.common import board_changed
from election_day.services.incidents import already_handled, lock_for_triage, mark_acknowledged
from operations.models import Assignment, Duty, Operation
from operations.services.assignments import assignment_create, assignment_delete
from operations.services.setup import require_open

State = Incident.State


def problem_message(code: str) -> str:
    return {
        "too_few": _("Tidak ada cukup personel tersedia: tim paling sedikit berdua."),
        "no_polairud": _("Desa ini hanya dapat dicapai lewat laut: tim wajib menyertakan personel Polairud."),
        "below_need": _("Pengiriman ini membuat desa asal di bawah kebutuhan personelnya."),
        "lone_left": _("Pengiriman ini meninggalkan satu personel sendirian di pos asalnya."),
        "unavailable": _("Personel %(names)s tidak tersedia lagi; muat ulang usulan tim."),
    }[code]


def _carry_arrival(reported: list[CheckIn], *, to: Assignment, by: AbstractBaseUser) -> None:
    """An officer on duty when sent stays on duty: his arrival (where and when he reported it) moves
    to the new posting, so the board counts him present, not late; his end of duty is reported there.
    One who had already ended his duty carries nothing. The move is in the check-in's history."""
    if any(c.kind == CheckIn.Kind.FINISHED for c in reported):
        return
    for checkin in reported:
        checkin.assignment = to
        checkin._history_user = by
        checkin.save(update_fields=["assignment"])


@transaction.atomic
def dispatch_confirm(
    *, incident: Incident, officer_ids: Sequence[int], by: AbstractBaseUser
) -> list[Dispatch]:
    """Send the chosen officers (normally the proposal as shown) to the incident's village."""
    Operation.objects.select_for_update().get(pk=incident.operation_id)
    incident = lock_for_triage(incident, by, allowed=[State.NEW, State.ACKNOWLEDGED, State.DISPATCHED])
    require_open(incident.operation)
    wanted = list(dict.fromkeys(int(i) for i in officer_ids))
    found = selectors.dispatch_pool(incident=incident)
    by_officer = {o.officer_id: o for o in found.pool}
    missing = [i for i in wanted if i not in by_officer]
    if (
        missing
        and incident.state == State.DISPATCHED
        and set(missing) <= set(incident.dispatches.values_list("officer_id", flat=True))
    ):
        raise already_handled(incident)  # a second Kabag Ops confirmed the same team a moment later
    if missing:
        names = ", ".join(
            str(a.officer)
            for a in Assignment.objects.filter(operation_id=incident.operation_id, officer_id__in=missing)
            .select_related("officer")
            .order_by("officer__name")
        ) or ", ".join(map(str, missing))
        raise ValidationError({"officers": [problem_message("unavailable") % {"names": names}]})
    team = [by_officer[i] for i in wanted]
    problem = team_problem(team, found.groups, needs_polairud=found.needs_polairud)
    if problem:
        raise ValidationError({"officers": [problem_message(problem)]})

    postings = Assignment.objects.in_bulk([o.assignment_id for o in team])
    dispatches = []
    for chosen in team:
        old = postings[chosen.assignment_id]
        reported = list(CheckIn.objects.filter(assignment=old))
        assignment_delete(assignment=old, by=by)
        new = assignment_create(
            operation=incident.operation,
            officer=old.officer,
            duty=Duty.VILLAGE_GUARD,
            stage=old.stage,
            village_election=incident.village_election,
            note=(
                _("Dikirim ke kejadian #%(id)d dari %(duty)s %(place)s")
                % {"id": incident.pk, "duty": old.get_duty_display(), "place": chosen.place}
            )[:250],
            by=by,
        )
        _carry_arrival(reported, to=new, by=by)
        dispatches.append(
            Dispatch.objects.create(
                incident=incident,
                officer=old.officer,
                from_duty=old.duty,
                from_place=chosen.place[:150],
                assignment=new,
                distance_km=Decimal(str(chosen.distance_km)) if chosen.distance_km is not None else None,
                confirmed_by=by,
            )
        )
    now = timezone.now()
    mark_acknowledged(incident, by, now)
    incident.state = State.DISPATCHED
    incident.dispatched_at, incident.dispatched_by = now, by
    incident.save()
    board_changed(operation_id=incident.operation_id, parts=("incidents", "presence"))
    return dispatches

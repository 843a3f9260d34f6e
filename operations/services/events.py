"""The desk's webhook events: what each one carries, written to the outbox (webhooks.event_emit)
inside the transaction of the change, by the service that makes the change."""

from __future__ import annotations

from operations.models import AllocationProposal, Assignment, RiskReport, VillageRisk
from webhooks.models import EventType
from webhooks.services import event_emit


def report_event(event_type: EventType, report: RiskReport) -> None:
    event_emit(
        type=event_type,
        data={
            "report": report.pk,
            "village_election": report.village_election_id,
            "status": report.status,
            "score": report.score,
            "computed_level": report.computed_level,
            "return_reason": report.return_reason or None,
        },
    )


def effective_level(risk: VillageRisk) -> int | None:
    return risk.override_level if risk.override_level is not None else risk.computed_level


def level_event(risk: VillageRisk, before: int | None) -> None:
    """Only when the level the ranking shows changed (a verified report, an override set or cleared)."""
    after = effective_level(risk)
    if after == before:
        return
    event_emit(
        type=EventType.LEVEL_CHANGED,
        data={
            "village_election": risk.village_election_id,
            "level": after,
            "previous_level": before,
            "computed_level": risk.computed_level,
            "override_level": risk.override_level,
        },
    )


def assignment_event(event_type: EventType, assignment: Assignment, assignment_id: int | None = None) -> None:
    event_emit(
        type=event_type,
        data={
            "assignment": assignment_id or assignment.pk,
            "operation": assignment.operation_id,
            "officer": assignment.officer_id,
            "duty": assignment.duty,
            "stage": assignment.stage,
            "village_election": assignment.village_election_id,
            "kecamatan": assignment.kecamatan_id,
        },
    )


def proposal_applied_event(proposal: AllocationProposal, assignments: list[Assignment]) -> None:
    event_emit(
        type=EventType.PROPOSAL_APPLIED,
        data={
            "proposal": proposal.pk,
            "operation": proposal.operation_id,
            "stage": proposal.stage,
            "assignments": [a.pk for a in assignments],
        },
    )

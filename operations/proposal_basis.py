"""What an allocation proposal was computed from (its ``basis``), and whether that still holds.

One rule read by two callers: the proposal service refuses to apply a proposal whose basis changed,
and the board marks such a proposal stale under "Usulan terbuka" before anyone tries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from operations.models import AllocationProposal, Assignment, Operation, VillageStanding


def postings_basis(*, operation: Operation, stage: str) -> str:
    """A digest of who is posted where in this stage: what the solver took as busy and as locked."""
    postings = (
        Assignment.objects.for_stage(operation.pk, stage)
        .order_by("officer_id")
        .values_list("officer_id", "village_election_id")
    )
    return hashlib.sha256(json.dumps(list(postings)).encode()).hexdigest()


def villages_basis(rows: Iterable[tuple[int, int, int]]) -> dict[str, list[int]]:
    """Village election id → [level, required personnel]: the ranking the solver filled."""
    return {str(village_id): [level, required] for village_id, level, required in rows}


def proposal_basis(*, operation: Operation, stage: str) -> dict:
    """What a proposal computed now would rest on (also stored by proposal_create)."""
    return {
        "postings": postings_basis(operation=operation, stage=stage),
        "villages": villages_basis(
            VillageStanding.objects.filter(operation=operation).values_list(
                "village_election_id", "level", "required_personnel"
            )
        ),
    }


@dataclass(frozen=True)
class BasisChanges:
    # No basis recorded at all: a proposal from before bases were stored.
    missing: bool = False
    postings: bool = False
    village_ids: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return self.missing or self.postings or bool(self.village_ids)


def basis_changes(*, proposal: AllocationProposal, current: dict) -> BasisChanges:
    """How ``current`` (a ``proposal_basis``) differs from what the proposal was computed from."""
    if not proposal.basis:
        return BasisChanges(missing=True)
    then, now = proposal.basis.get("villages", {}), current["villages"]
    return BasisChanges(
        postings=current["postings"] != proposal.basis.get("postings"),
        village_ids=tuple(
            sorted(int(key) for key in then.keys() | now.keys() if then.get(key) != now.get(key))
        ),
    )

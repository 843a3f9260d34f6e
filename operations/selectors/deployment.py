"""Reads for the deployment: village teams and their leaders, the board, free officers, the order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from operations.models import (
    AllocationProposal,
    Assignment,
    BkoContingent,
    Officer,
    Operation,
    Stage,
    Unit,
    VillageStanding,
)
from villages.models import Candidate


def team_leader(*, team: Sequence[Assignment]) -> Assignment | None:
    """The named leader if Kabag Ops set one, else the most senior rank (ties: lower NRP)."""
    named = [a for a in team if a.is_team_leader]
    if named:
        return named[0]
    return min(team, key=lambda a: (-a.officer.rank, a.officer.nrp), default=None)


def assignments_for_operation(*, operation: Operation, stage: str = Stage.VOTING) -> QuerySet[Assignment]:
    return (
        Assignment.objects.for_stage(operation.pk, stage)
        .select_related(
            "officer__unit", "officer__jabatan", "candidate", "village_election__desa", "kecamatan"
        )
        .order_by("village_election_id", "-officer__rank", "officer__nrp")
    )


@dataclass
class VillageTeam:
    standing: VillageStanding
    members: list[Assignment] = field(default_factory=list)

    @property
    def leader(self) -> Assignment | None:
        return team_leader(team=self.members)

    @property
    def guards(self) -> list[Assignment]:
        """Members not posted to a named candidate: TPS guards, boat team, ballot escort."""
        return [m for m in self.members if m.candidate_id is None]

    @property
    def escort_pairs(self) -> list[EscortGroup]:
        """The close escorts of each candidate, by ballot number: shown and printed under the village."""
        by_candidate: dict[int, EscortGroup] = {}
        for member in self.members:
            if member.candidate_id is not None:
                group = by_candidate.setdefault(member.candidate_id, EscortGroup(candidate=member.candidate))
                group.members.append(member)
        return sorted(
            by_candidate.values(),
            key=lambda g: (g.candidate.ballot_number is None, g.candidate.ballot_number or 0, g.candidate.pk),
        )


@dataclass
class EscortGroup:
    candidate: Candidate
    members: list[Assignment] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.candidate.ballot_number is None:
            return self.candidate.full_name
        return f"{self.candidate.full_name} (No. {self.candidate.ballot_number})"


@dataclass
class Board:
    teams: list[VillageTeam]
    # Postings without a village (patrol, reserve) of this stage.
    elsewhere: list[Assignment]


def deployment_board(*, operation: Operation, stage: str = Stage.VOTING, level: int | None = None) -> Board:
    """Villages in ranking order with their teams: two queries whatever the size."""
    standings = (
        VillageStanding.objects.filter(operation=operation)
        .select_related("village_election__desa", "kecamatan", "polsek")
        .ranked()
    )
    if level is not None:
        standings = standings.filter(level=level)
    by_village: dict[int | None, list[Assignment]] = defaultdict(list)
    for assignment in assignments_for_operation(operation=operation, stage=stage):
        by_village[assignment.village_election_id].append(assignment)
    teams = [VillageTeam(standing=s, members=by_village.get(s.village_election_id, [])) for s in standings]
    return Board(teams=teams, elsewhere=by_village.get(None, []))


def free_officers(
    *,
    operation: Operation,
    stage: str = Stage.VOTING,
    search: str = "",
    unit_id: int | None = None,
    rank: int | None = None,
) -> QuerySet[Officer]:
    """Active officers without a posting in this operation and stage; BKO only once arrived."""
    arrived = BkoContingent.objects.filter(operation=operation, status=BkoContingent.Status.ARRIVED)
    officers = (
        Officer.objects.active()
        # Pimpinan, Kapolsek and posko staff command the operation: never offered for a village.
        .for_village_duty()
        .exclude(assignments__operation=operation, assignments__stage=stage)
        .filter(Q(unit__supplies_bko=False) | Q(unit__in=arrived.values("unit_id")))
        .select_related("unit", "jabatan")
    )
    if search:
        officers = officers.filter(Q(name__icontains=search) | Q(nrp__startswith=search))
    if unit_id is not None:
        officers = officers.filter(unit_id=unit_id)
    if rank is not None:
        officers = officers.filter(rank=rank)
    return officers.by_seniority()


def polairud_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=Unit.Kind.POLAIRUD).order_by("name")


def proposal_with_items(*, proposal_id: int) -> AllocationProposal:
    return AllocationProposal.objects.select_related("operation", "created_by").get(pk=proposal_id)


def proposal_items(*, proposal: AllocationProposal):
    return proposal.items.select_related(
        "officer__unit", "officer__jabatan", "village_election__desa", "candidate"
    ).order_by("village_election__desa__code", "-officer__rank", "officer__nrp")

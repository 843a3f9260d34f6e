"""Reads for the deployment: village teams and their leaders, the board, free officers, the order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
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
from operations.proposal_basis import basis_changes, proposal_basis
from operations.ranks import normalise_rank
from villages.models import Candidate


def team_leader(*, team: Sequence[Assignment]) -> Assignment | None:
    """The named leader if Kabag Ops set one, else the most senior rank (ties: lower NRP)."""
    named = [a for a in team if a.is_team_leader]
    if named:
        return named[0]
    return min(team, key=lambda a: (-a.officer.rank, a.officer.nrp), default=None)


def team_leader_ids(postings: Collection[Assignment]) -> set[int]:
    """The ids of the leaders (``team_leader``) of the village teams these postings belong to, in
    one read: a page of postings can say which of them leads his team."""
    keys = {(p.operation_id, p.stage, p.village_election_id) for p in postings if p.village_election_id}
    if not keys:
        return set()
    teams: dict[tuple, list[Assignment]] = defaultdict(list)
    rows = Assignment.objects.filter(
        operation_id__in={k[0] for k in keys},
        stage__in={k[1] for k in keys},
        village_election_id__in={k[2] for k in keys},
    ).select_related("officer")
    for posting in rows:
        key = (posting.operation_id, posting.stage, posting.village_election_id)
        if key in keys:
            teams[key].append(posting)
    return {leader.pk for team in teams.values() if (leader := team_leader(team=team)) is not None}


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
    # Shown expanded on the board (a search found someone here, or the page was asked to).
    open: bool = False
    # Members the search matched, by assignment id: highlighted in the expanded team.
    matches: frozenset[int] = frozenset()

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


@dataclass(frozen=True)
class BoardTotals:
    villages: int = 0
    required: int = 0
    assigned: int = 0
    shortfall: int = 0
    surplus: int = 0


@dataclass(frozen=True)
class Whereabouts:
    """A searched officer and his posting in the board's stage (None: not posted)."""

    officer: Officer
    assignment: Assignment | None


@dataclass
class Board:
    teams: list[VillageTeam]
    # Postings without a village (patrol, reserve) of this stage.
    elsewhere: list[Assignment]
    totals: BoardTotals = field(default_factory=BoardTotals)
    # Officers matching the search, posted or not; empty without a search.
    found: list[Whereabouts] = field(default_factory=list)
    search: str = ""


SEARCH_RESULTS = 20


def _search_officers(search: str) -> QuerySet[Officer]:
    """Name (any part) or NRP (its start); a leading rank ("Briptu Agus") narrows to that rank."""
    words = search.split()
    rank = normalise_rank(words[0]) if len(words) > 1 else None
    officers = Officer.objects.select_related("unit", "jabatan")
    if rank is not None:
        officers = officers.filter(rank=rank)
        search = " ".join(words[1:])
    return officers.filter(Q(name__icontains=search) | Q(nrp__startswith=search)).by_seniority()


def _totals(standings: Sequence[VillageStanding]) -> BoardTotals:
    return BoardTotals(
        villages=len(standings),
        required=sum(s.required_personnel for s in standings),
        assigned=sum(s.assigned_personnel for s in standings),
        shortfall=sum(s.shortfall for s in standings),
        surplus=sum(s.surplus for s in standings),
    )


def deployment_board(
    *,
    operation: Operation,
    stage: str = Stage.VOTING,
    level: int | None = None,
    polsek_id: int | None = None,
    kecamatan_id: int | None = None,
    search: str = "",
    open_village_ids: Collection[int] = (),
) -> Board:
    """Villages in ranking order with their teams, filtered; a search keeps the villages of the
    officers found, opened, and lists where each one is. A fixed number of queries whatever the size.
    """
    standings = (
        VillageStanding.objects.filter(operation=operation)
        .select_related("village_election__desa", "kecamatan", "polsek")
        .ranked()
    )
    if level is not None:
        standings = standings.filter(level=level)
    if polsek_id is not None:
        standings = standings.filter(polsek_id=polsek_id)
    if kecamatan_id is not None:
        standings = standings.filter(kecamatan_id=kecamatan_id)
    by_village: dict[int | None, list[Assignment]] = defaultdict(list)
    by_officer: dict[int, Assignment] = {}
    for assignment in assignments_for_operation(operation=operation, stage=stage):
        by_village[assignment.village_election_id].append(assignment)
        by_officer[assignment.officer_id] = assignment
    search = search.strip()
    found: list[Whereabouts] = []
    if search:
        found = [
            Whereabouts(officer=o, assignment=by_officer.get(o.pk))
            for o in _search_officers(search)[:SEARCH_RESULTS]
        ]
        matched = {w.assignment.pk for w in found if w.assignment is not None}
        # The villages of the officers found, and any asked open (where one was just released).
        standings = standings.filter(
            village_election_id__in={w.assignment.village_election_id for w in found if w.assignment}
            | set(open_village_ids)
        )
    standings = list(standings)
    teams = []
    for s in standings:
        members = by_village.get(s.village_election_id, [])
        team = VillageTeam(standing=s, members=members)
        if search:
            team.matches = frozenset(m.pk for m in members if m.pk in matched)
        team.open = bool(team.matches) or s.village_election_id in open_village_ids
        teams.append(team)
    elsewhere = by_village.get(None, [])
    if search:
        elsewhere = [m for m in elsewhere if m.pk in matched]
    return Board(teams=teams, elsewhere=elsewhere, totals=_totals(standings), found=found, search=search)


@dataclass(frozen=True)
class OpenProposal:
    proposal: AllocationProposal
    # Made stale by a change since it was computed (another proposal applied, a posting, a
    # re-graded village): applying it will be refused, so the board says so first.
    stale: bool


def open_proposals(*, operation: Operation, limit: int | None = 5) -> list[OpenProposal]:
    """The operation's undecided proposals, newest first, each marked stale or not."""
    proposals = list(
        operation.proposals.filter(status=AllocationProposal.Status.OPEN)
        .select_related("created_by__officer")
        .order_by("-created_at", "-pk")[:limit]
    )
    current: dict[str, dict] = {}
    marked = []
    for proposal in proposals:
        if proposal.stage not in current:
            current[proposal.stage] = proposal_basis(operation=operation, stage=proposal.stage)
        changed = basis_changes(proposal=proposal, current=current[proposal.stage])
        marked.append(OpenProposal(proposal=proposal, stale=bool(changed)))
    return marked


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

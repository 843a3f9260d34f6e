"""Choosing the team sent to an incident: plain data in, plain data out (no ORM).

The pool is every officer who could go (selectors.dispatch_pool gathers it): the reserve at its
Mako, patrols in their kecamatan, and village guards a village can spare above its need. Officers
come in groups (one reserve, one patrol, one village team) because the rules are about what a
group keeps:

- a village keeps at least its need (``spare`` counts what it has above it), so a Sangat Rawan
  village, like any other, is never stripped below what its level requires;
- nobody is left alone: a group keeps none or at least two officers, except the reserve, which
  waits at its Mako;
- the team itself is at least a pair ("body system");
- a village reachable only by sea needs a Polairud officer in the team (the boat), proposed first.

Greedy by distance: the nearest group gives what it may, then the next, until the team is full.
Optimal for "nearest team" as groups are disjoint and each gives its nearest members first; the
pair and lone-officer rules may make it take one more than asked (a patrol pair goes together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_TEAM = 2


@dataclass(frozen=True)
class Available:
    officer_id: int
    assignment_id: int
    name: str
    duty: str
    group: str  # "reserve:<unit>", "patrol:<kecamatan>", "village:<village election>"
    place: str
    distance_km: float | None
    polairud: bool = False


@dataclass(frozen=True)
class Group:
    key: str
    size: int  # officers the group has now
    spare: int  # how many it may give without dropping below its need
    keeps_pairs: bool = True  # a patrol or village team never keeps a lone officer; the reserve may


@dataclass
class Proposal:
    team: list[Available] = field(default_factory=list)
    problem: str = ""  # a reason code when no team can be proposed: "too_few", "no_polairud"


def _order(officer: Available, needs_polairud: bool) -> tuple:
    far = officer.distance_km is None
    return (needs_polairud and not officer.polairud, far, officer.distance_km or 0.0, officer.officer_id)


def takeable(group: Group, wanted: int) -> int:
    """How many of ``wanted`` a group may give: within its spare, never leaving exactly one behind."""
    take = min(wanted, group.spare, group.size)
    if group.keeps_pairs and group.size - take == 1:
        # Take the last one too if the spare allows it, else leave a pair.
        take = take + 1 if take + 1 <= group.spare else take - 1
    return max(take, 0)


def choose_team(
    pool: Sequence[Available], groups: dict[str, Group], *, size: int = MIN_TEAM, needs_polairud: bool
) -> Proposal:
    size = max(size, MIN_TEAM)
    ordered = sorted(pool, key=lambda o: _order(o, needs_polairud))
    members: dict[str, list[Available]] = {}
    for officer in ordered:
        members.setdefault(officer.group, []).append(officer)
    # Groups in the order of their best member (the nearest, Polairud first for the island).
    team: list[Available] = []
    for key, officers in members.items():
        wanted = size - len(team)
        if wanted <= 0:
            break
        team.extend(officers[: takeable(groups[key], wanted)])
    if needs_polairud and not any(o.polairud for o in team):
        return Proposal(problem="no_polairud")
    if len(team) < MIN_TEAM:
        return Proposal(problem="too_few")
    return Proposal(team=team)


def team_problem(team: Sequence[Available], groups: dict[str, Group], *, needs_polairud: bool) -> str:
    """Why a chosen team breaks a rule ("" when it does not): the check of a confirmed dispatch."""
    if len(team) < MIN_TEAM:
        return "too_few"
    if needs_polairud and not any(o.polairud for o in team):
        return "no_polairud"
    taken: dict[str, int] = {}
    for officer in team:
        taken[officer.group] = taken.get(officer.group, 0) + 1
    for key, count in taken.items():
        group = groups[key]
        if count > group.spare:
            return "below_need"
        if group.keeps_pairs and group.size - count == 1:
            return "lone_left"
    return ""

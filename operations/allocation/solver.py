"""Optimal allocation of free officers to villages: a min-cost flow with a small repair for pairs.

Objective, lexicographic: leave as little Sangat Rawan need uncovered as possible, then Rawan, then
Aman, then minimise the total travel (metres from each officer's unit HQ to his village).

Network (integer costs in metres):

    unit group g --(n_g - residents of v in g, travel)--> village v      (Polsek: own area only)
    unit group g --(n_g, 0)--> sink                                      (officer stays free)
    slack        --(need_v, P_level(v))--> village v                     (one unit of unmet need)
    slack        --(total need, 0)--> sink

Penalties. Let D be the longest group→village arc and B = min(#groups, #villages) · D: no simple cycle
of the residual graph can add more than B of travel, because each of its forward group→village arcs
leaves a different group and enters a different village (backward arcs only remove travel). With
P_L = L · (B + 1), every residual cycle that covers one more unit at a level L (possibly uncovering a
unit at a lower level) costs less than zero, so a min-cost flow has no lexicographically improving
cycle and is therefore lexicographically optimal. B ≤ total supply · D, so this is the "longest
distance × total supply" bound, tightened to keep costs far from int64 overflow on national data.

Neutrality (an officer never guards the village he lives in) is exact at group level: a group can
send to village v at most its officers who do not live there, and by Hall's theorem that is enough to
name the officers afterwards (see ``_name_officers``).

Pairs ("0 or at least 2 officers in a village, locked plus proposed"): the flow is solved first; only
if some village without locked officers got exactly one, a best-first branch and bound re-solves the
flow with that village fixed to 0 (its arcs closed) or to at least 2 (its slack arc shortened by 2).
Each node's flow optimum is a lexicographic lower bound for every solution in its branch: a dive finds
a first pairs-respecting answer, then best-first search proves it (or finds a better one) optimal.
If the re-solve budget runs out first, the best answer found is returned flagged as not proven
optimal. In practice the rule rarely binds and the first solve is the answer.
A village that already has exactly one locked officer may receive more or none: the proposal cannot
remove him, and the level penalty already pulls a second officer there when one is free.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from operations.allocation.geo import haversine_km_matrix

# Where an HQ or a village has no coordinates the distance is unknown: it is reported as such
# (Placement.distance_m None, the proposal's warnings), never as a made-up figure. For the travel
# objective alone an unknown trip costs as much as the longest known one, so officers whose trips
# are known to be shorter go first and an unknown trip is neither favoured nor ruled out.

# Re-solves the pairs repair may spend before settling for its best pairs-respecting answer
# (reported as not proven optimal): ~3 ms each for a kabupaten, ~85 ms for a province.
DEFAULT_MAX_BRANCH_NODES = 32
MIN_TEAM = 2


@dataclass(frozen=True)
class SupplyGroup:
    """Free officers of one home unit."""

    unit_id: int
    officer_ids: tuple[int, ...]
    latitude: float | None = None
    longitude: float | None = None
    # None: anywhere (BKO, Polres HQ); otherwise the villages of the Polsek's own jurisdiction.
    allowed_village_ids: frozenset[int] | None = None
    # officer id -> the village (same ids as VillageDemand.village_id) he lives in.
    home_village_ids: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class VillageDemand:
    village_id: int
    level: int
    need: int  # still uncovered: required minus already assigned (locked) officers
    locked: int = 0
    latitude: float | None = None
    longitude: float | None = None
    sea_access_only: bool = False
    # Reached by sea: the trip is HQ → this port by land, then port → village by sea.
    port_latitude: float | None = None
    port_longitude: float | None = None


@dataclass(frozen=True)
class Placement:
    officer_id: int
    unit_id: int
    village_id: int
    distance_m: int | None  # None: the HQ, the village or its port has no coordinates


@dataclass(frozen=True)
class VillageOutcome:
    village_id: int
    level: int
    need: int
    locked: int
    added: int
    shortfall: int
    sea_access_only: bool

    @property
    def total(self) -> int:
        return self.locked + self.added


@dataclass(frozen=True)
class AllocationResult:
    placements: tuple[Placement, ...]
    villages: tuple[VillageOutcome, ...]
    unmet_by_level: dict[int, int]
    total_distance_m: int  # of the placements whose distance is known
    # (unmet at the highest level, ..., unmet at the lowest level, travel cost): compare as tuples.
    objective: tuple[int, ...]
    optimal: bool
    branch_nodes: int
    build_seconds: float
    solve_seconds: float

    @property
    def total_distance_km(self) -> float:
        return self.total_distance_m / 1000

    @property
    def total_shortfall(self) -> int:
        return sum(self.unmet_by_level.values())


def _allowed_mask(
    groups: Sequence[SupplyGroup], village_index: Mapping[int, int], n_villages: int
) -> np.ndarray:
    """allowed[g, v]: may group g serve village v (its own area for a Polsek, anywhere otherwise)."""
    allowed = np.ones((len(groups), n_villages), dtype=bool)
    for gi, group in enumerate(groups):
        if group.allowed_village_ids is not None:
            allowed[gi] = False
            allowed[gi, [village_index[v] for v in group.allowed_village_ids if v in village_index]] = True
    return allowed


def _coordinates(points, lat: str, lon: str) -> tuple[np.ndarray, np.ndarray]:
    nan = float("nan")
    return (
        np.array([nan if getattr(p, lat) is None else getattr(p, lat) for p in points], dtype=float),
        np.array([nan if getattr(p, lon) is None else getattr(p, lon) for p in points], dtype=float),
    )


def sea_leg_km(villages: Sequence[VillageDemand]) -> np.ndarray:
    """Port → village kilometres for villages reached by sea (NaN if unknown), 0 for the others."""
    village_lat, village_lon = _coordinates(villages, "latitude", "longitude")
    port_lat, port_lon = _coordinates(villages, "port_latitude", "port_longitude")
    sea = np.array([v.sea_access_only for v in villages], dtype=bool)
    legs = np.zeros(len(villages))
    if sea.any():
        pairwise = haversine_km_matrix(port_lat[sea], port_lon[sea], village_lat[sea], village_lon[sea])
        legs[sea] = np.diag(pairwise)
    return legs


def travel_km_matrix(groups: Sequence[SupplyGroup], villages: Sequence[VillageDemand]) -> np.ndarray:
    """Kilometres from every group's HQ (rows) to every village (columns); NaN where unknown.

    Great-circle distance from the HQ to the village's centroid; for a village reached only by
    sea, the land leg from the HQ to its port plus the sea leg from the port to the village.
    """
    group_lat, group_lon = _coordinates(groups, "latitude", "longitude")
    village_lat, village_lon = _coordinates(villages, "latitude", "longitude")
    km = haversine_km_matrix(group_lat, group_lon, village_lat, village_lon)
    sea = np.array([v.sea_access_only for v in villages], dtype=bool)
    if sea.any():
        port_lat, port_lon = _coordinates(villages, "port_latitude", "port_longitude")
        land = haversine_km_matrix(group_lat, group_lon, port_lat[sea], port_lon[sea])
        km[:, sea] = land + sea_leg_km(villages)[sea][None, :]
    return km


def travel_km(group: SupplyGroup, villages: Sequence[VillageDemand]) -> np.ndarray:
    """Kilometres from one group's HQ to each village (see ``travel_km_matrix``)."""
    return travel_km_matrix([group], villages)[0]


def _needs_pair(village: VillageDemand) -> bool:
    return village.locked == 0


def _reachable(village: VillageDemand) -> bool:
    # A village without officers whose remaining need is one can only take a lone officer.
    return village.need > 0 and not (_needs_pair(village) and village.need < MIN_TEAM)


def allocate(
    *,
    groups: Sequence[SupplyGroup],
    villages: Sequence[VillageDemand],
    max_branch_nodes: int = DEFAULT_MAX_BRANCH_NODES,
) -> AllocationResult:
    started = time.perf_counter()
    groups = [g for g in groups if g.officer_ids]
    n_groups, n_villages = len(groups), len(villages)
    levels = sorted({v.level for v in villages}, reverse=True)
    village_index = {v.village_id: i for i, v in enumerate(villages)}
    strength = np.array([len(g.officer_ids) for g in groups], dtype=np.int64)

    # Capacity of every group→village pair: its officers minus those living there; 0 = no arc.
    pair_caps = np.repeat(strength[:, None], n_villages, axis=1)
    pair_caps[:, [not _reachable(v) for v in villages]] = 0
    allowed = _allowed_mask(groups, village_index, n_villages)
    pair_caps[~allowed] = 0
    km = travel_km_matrix(groups, villages)
    known = ~np.isnan(km)
    cost_km = np.where(known, km, np.nanmax(km, initial=0.0) if known.any() else 0.0)
    for gi, group in enumerate(groups):
        for village_id in group.home_village_ids.values():
            if village_id in village_index:
                pair_caps[gi, village_index[village_id]] -= 1
    travel_tails, travel_heads = np.nonzero(pair_caps > 0)
    travel_cost = np.rint(cost_km[travel_tails, travel_heads] * 1000).astype(np.int64)
    travel_known = known[travel_tails, travel_heads]
    travel_arcs = len(travel_tails)
    longest = int(travel_cost.max(initial=0))
    penalty_unit = min(n_groups, n_villages) * longest + 1

    slack, sink = n_groups + n_villages, n_groups + n_villages + 1
    need_of = np.array([v.need for v in villages], dtype=np.int64)
    level_of = np.array([v.level for v in villages], dtype=np.int64)
    pair_villages = np.array([_needs_pair(v) for v in villages], dtype=bool)
    need_total = int(need_of.sum())
    group_ids, village_ids = np.arange(n_groups), np.arange(n_villages)
    tails = np.concatenate([travel_tails, group_ids, np.full(n_villages, slack), [slack]])
    heads = np.concatenate([travel_heads + n_groups, np.full(n_groups, sink), village_ids + n_groups, [sink]])
    base_caps = np.concatenate([pair_caps[travel_tails, travel_heads], strength, need_of, [need_total]])
    costs = np.concatenate([travel_cost, np.zeros(n_groups), level_of * penalty_unit, [0]])
    slack_arc_start = travel_arcs + n_groups

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), heads.astype(np.int64), base_caps.astype(np.int64), costs.astype(np.int64)
    )
    supplies = np.concatenate([strength, -need_of, [need_total, -int(strength.sum())]]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int64), supplies)
    build_seconds = time.perf_counter() - started

    def solve(zero: frozenset[int], pair: frozenset[int]) -> _Node | None:
        node_caps = base_caps.astype(np.int64)
        if zero:
            node_caps[:travel_arcs][np.isin(travel_heads, list(zero))] = 0
        for vi in pair:
            node_caps[slack_arc_start + vi] = need_of[vi] - MIN_TEAM
        flow.set_arc_capacities(arcs, node_caps)
        if flow.solve() != flow.OPTIMAL:
            return None
        travel_flow = flow.flows(arcs[:travel_arcs])
        added = np.bincount(travel_heads, weights=travel_flow, minlength=n_villages).astype(np.int64)
        unmet = need_of - added
        key = (*(int(unmet[level_of == level].sum()) for level in levels), int(travel_flow @ travel_cost))
        lone = np.flatnonzero(pair_villages & (added == 1))
        return _Node(key, next(tiebreak), zero, pair, travel_flow, lone)

    solve_started = time.perf_counter()
    tiebreak = itertools.count()
    root = solve(frozenset(), frozenset())
    assert root is not None, "the network always has a feasible flow: slack covers every need"
    best, optimal, branch_nodes = _branch_and_bound(root, solve, level_of, max_branch_nodes)
    solve_seconds = time.perf_counter() - solve_started

    key, travel_flow = best.key, best.travel_flow
    placements = _name_officers(
        groups=groups,
        villages=villages,
        tails=travel_tails,
        travel_heads=travel_heads,
        travel_cost=np.where(travel_known, travel_cost, -1),
        travel_flow=travel_flow,
    )
    added = np.bincount(travel_heads, weights=travel_flow, minlength=n_villages).astype(np.int64)
    outcomes = tuple(
        VillageOutcome(
            village_id=v.village_id,
            level=v.level,
            need=v.need,
            locked=v.locked,
            added=int(added[i]),
            shortfall=v.need - int(added[i]),
            sea_access_only=v.sea_access_only,
        )
        for i, v in enumerate(villages)
    )
    return AllocationResult(
        placements=placements,
        villages=outcomes,
        unmet_by_level=dict(zip(levels, key[:-1], strict=True)),
        total_distance_m=sum(p.distance_m for p in placements if p.distance_m is not None),
        objective=key,
        optimal=optimal,
        branch_nodes=branch_nodes,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
    )


@dataclass(order=True)
class _Node:
    key: tuple[int, ...]
    tiebreak: int
    zero: frozenset[int] = field(compare=False)
    pair: frozenset[int] = field(compare=False)
    travel_flow: np.ndarray = field(compare=False, repr=False)
    lone: np.ndarray = field(compare=False, repr=False)


def _branch_and_bound(
    root: _Node, solve, level_of: np.ndarray, max_branch_nodes: int
) -> tuple[_Node, bool, int]:
    """Best pairs-respecting flow: dive for a first answer, then best-first until proven.

    Returns the best node, whether it is proven optimal, and how many re-solves it took.
    """
    best: _Node | None = None
    open_nodes: list[_Node] = []
    solves = 0
    node: _Node | None = root
    while node is not None:
        if node.lone.size == 0:
            if best is None or node < best:
                best = node
        elif solves < max_branch_nodes:
            # Branch on the riskiest offender: its decision moves the objective most.
            vi = int(node.lone[np.argmax(level_of[node.lone])])
            children = [
                child
                for child in (solve(node.zero | {vi}, node.pair), solve(node.zero, node.pair | {vi}))
                if child is not None
            ]
            solves += 2
            children.sort()
            if best is None and children:
                node = children.pop(0)
                for child in children:
                    heapq.heappush(open_nodes, child)
                continue
            for child in children:
                heapq.heappush(open_nodes, child)
        else:
            heapq.heappush(open_nodes, node)
            break
        node = heapq.heappop(open_nodes) if open_nodes else None
        if node is not None and best is not None and node.key >= best.key:
            heapq.heappush(open_nodes, node)
            break
    if best is None:
        # Out of budget before any answer: close lone-officer villages until none is left. Closing
        # only removes arcs and the slack still covers every need, so this ends feasibly.
        node = open_nodes[0] if open_nodes else root
        while node.lone.size:
            node = solve(node.zero | {int(v) for v in node.lone}, node.pair)
            solves += 1
        best = node
    proven = not open_nodes or open_nodes[0].key >= best.key
    return best, proven, solves


def _name_officers(
    *,
    groups: Sequence[SupplyGroup],
    villages: Sequence[VillageDemand],
    tails: np.ndarray,
    travel_heads: np.ndarray,
    travel_cost: np.ndarray,
    travel_flow: np.ndarray,
) -> tuple[Placement, ...]:
    """Turn per-group counts into named officers, never one at the village he lives in.

    ``travel_cost`` holds each arc's metres, or -1 where the distance is unknown.

    Slots of a group: its counts per village plus its unused officers. Officers come in the
    caller's order (seniority): the first take the unused slots, so a unit's commanders stay free
    when it has officers to spare, and the rest go to the village with the most open slots (a
    heap), so the senior officers spread over the teams. An officer never takes a slot at the
    village he lives in; if only such slots are left, he swaps with a placed officer who does not
    live there. Such an officer exists because the arc capacity kept the slots at that village at
    most the group's non-residents (Hall's condition), whatever the order.
    """
    placements: list[Placement] = []
    used = np.flatnonzero(travel_flow > 0)
    by_group: dict[int, list[int]] = {}
    for arc in used:
        by_group.setdefault(int(tails[arc]), []).append(int(arc))
    for gi, group_arcs in by_group.items():
        group = groups[gi]
        open_slots: dict[int, int] = {}
        metres: dict[int, int] = {}
        for arc in group_arcs:
            vi = int(travel_heads[arc])
            open_slots[vi] = open_slots.get(vi, 0) + int(travel_flow[arc])
            metres[vi] = int(travel_cost[arc])
        unused = len(group.officer_ids) - sum(open_slots.values())
        fullest = [(-n, vi) for vi, n in open_slots.items()]
        heapq.heapify(fullest)
        village_index = {villages[vi].village_id: vi for vi in metres}
        home = {
            officer: village_index[village]
            for officer, village in group.home_village_ids.items()
            if village in village_index
        }
        placed: dict[int, int | None] = {}
        for officer in group.officer_ids:
            if unused:
                unused -= 1
                placed[officer] = None
                continue
            forbidden = home.get(officer)
            skipped = heapq.heappop(fullest) if fullest and fullest[0][1] == forbidden else None
            if fullest:
                count, vi = heapq.heappop(fullest)
                if count < -1:
                    heapq.heappush(fullest, (count + 1, vi))
                placed[officer] = vi
            else:
                mover = next(o for o, s in placed.items() if s != forbidden and home.get(o) != forbidden)
                placed[officer] = placed[mover]
                placed[mover] = forbidden
                count, vi = skipped
                skipped = (count + 1, vi) if count < -1 else None
            if skipped is not None:
                heapq.heappush(fullest, skipped)
        placements.extend(
            Placement(
                officer_id=officer,
                unit_id=group.unit_id,
                village_id=villages[vi].village_id,
                distance_m=None if metres[vi] < 0 else metres[vi],
            )
            for officer, vi in placed.items()
            if vi is not None
        )
    placements.sort(key=lambda p: (p.village_id, p.officer_id))
    return tuple(placements)

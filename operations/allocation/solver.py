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

Rules of the plan (issue 13), in the same network:
- Boat teams. A sea-access village's need includes its boat team (``boat_need``). Boat crew groups
  reach it only through a slot node; the slot's arc into the village carries ``boat_need`` units at
  a bonus above every level (the rest at 0), so the top key is the unmet boat need: Polairud goes
  to land villages only when no sea village can still gain a boat crew. A BKO Polairud group pays
  FOREIGN_BOAT_KM more per officer through a slot: the Polres's own Sat Polairud first.
- Reaction reserve. Brimob groups have an arc (no travel) to a reserve node of demand
  ``reserve_need``, penalised as a class between Rawan and Aman.
  With several classes the penalties are rank · (B + 1) and the boat bonus (classes + 1) · (B + 1):
  a simple residual cycle changes the boat count by k units (|k| bonus) and the other classes by at
  most one unit each way plus B of travel, so the argument below holds class by class.
- Desa binaan. A Bhabinkamtibmas is posted to his desa binaan before the flow (a fixed variable:
  it still needs officers beyond its boat team, it is in his unit's area and he does not live
  there); the village then counts as not empty.
- Patrols. A kecamatan's patrol (``PatrolDemand``, the pattern set's patrol per kecamatan) is a
  place of its own class below Aman (``PATROL_LEVEL``): it takes only officers no village and no
  reaction reserve can use, in pairs like a village; a Polsek patrols only its own kecamatan.
- Escorts. ``escorts`` are part of the village's need; among the village's new officers, whole
  pairs are named to each candidate after the boat team, leaving a pair at the TPS. This naming does
  not change the objective.

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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

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

# Capabilities the model knows (operations.Capability codes); a group holds officers of one.
BOAT_CREW = "boat_crew"
BRIMOB = "brimob"
# A BKO Polairud unit's boat costs this much more than the Polres's own Sat Polairud: own first.
FOREIGN_BOAT_KM = 1000.0
# The reaction reserve ranks between Rawan (2) and Aman (1): Brimob is kept for it before Aman.
RESERVE_CLASS = 1.5

ROLE_GUARD = "guard"
ROLE_BOAT = "boat"
ROLE_ESCORT = "escort"
ROLE_BINAAN = "binaan"
ROLE_PATROL = "patrol"

# The class of a kecamatan patrol, below Aman (1): patrols take the officers no village needs.
PATROL_LEVEL = 0


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
    # What all officers of the group can do that others cannot: "", BOAT_CREW or BRIMOB.
    capability: str = ""
    # Placed under the Polres's control for the operation (BKO), not its own unit.
    bko: bool = False
    # officer id -> the village he is Bhabinkamtibmas of (desa binaan).
    binaan_village_ids: Mapping[int, int] = field(default_factory=dict)
    # The kecamatan a group limited to some villages (a Polsek) may patrol; a group that may serve
    # any village may patrol any kecamatan.
    allowed_kecamatan_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class PatrolDemand:
    """Officers still wanted on patrol in one kecamatan (beyond ``locked`` already posted there)."""

    kecamatan_id: int
    need: int
    locked: int = 0
    latitude: float | None = None
    longitude: float | None = None


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
    # Boat crew still needed for a sea village (part of ``need``, filled by boat crew only).
    boat_need: int = 0
    # (candidate id, escorts still needed) for each candidate under close escort (part of ``need``).
    escorts: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Placement:
    officer_id: int
    unit_id: int
    village_id: int | None  # None on patrol
    distance_m: int | None  # None: the HQ, the village or its port has no coordinates
    role: str = ROLE_GUARD
    candidate_id: int | None = None  # the escorted candidate, for ROLE_ESCORT
    kecamatan_id: int | None = None  # the kecamatan patrolled, for ROLE_PATROL


@dataclass(frozen=True)
class VillageOutcome:
    village_id: int
    level: int
    need: int
    locked: int
    added: int
    shortfall: int
    sea_access_only: bool
    boat_need: int = 0
    boat_team: int = 0

    @property
    def total(self) -> int:
        return self.locked + self.added


@dataclass(frozen=True)
class PatrolOutcome:
    kecamatan_id: int
    need: int
    locked: int
    added: int
    shortfall: int


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
    reserve_officer_ids: tuple[int, ...] = ()
    boat_unmet: int = 0
    reserve_unmet: int = 0
    patrols: tuple[PatrolOutcome, ...] = ()
    patrol_unmet: int = 0

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
    reserve_need: int = 0,
    patrols: Sequence[PatrolDemand] = (),
    max_branch_nodes: int = DEFAULT_MAX_BRANCH_NODES,
) -> AllocationResult:
    """Place the free officers; see the module docstring for the model and its optimality.

    ``reserve_need``: Brimob officers to keep as the reaction reserve (before Aman villages).
    ``patrols``: officers wanted on patrol per kecamatan (after every village).
    """
    started = time.perf_counter()
    groups = [g for g in groups if g.officer_ids]
    n_real = len(villages)
    groups, villages = _with_patrol_places(groups, villages, patrols)
    all_km = travel_km_matrix(groups, villages)
    known_km = ~np.isnan(all_km)
    fill_km = np.nanmax(all_km, initial=0.0) if known_km.any() else 0.0
    binaan, groups, villages = _place_bhabinkamtibmas(groups, villages, all_km, fill_km)
    n_groups, n_villages = len(groups), len(villages)
    village_index = {v.village_id: i for i, v in enumerate(villages)}
    strength = np.array([len(g.officer_ids) for g in groups], dtype=np.int64)
    keep = [gi for gi, g in enumerate(groups) if g.officer_ids]
    km = all_km[keep] if len(keep) != len(all_km) else all_km
    groups = [groups[gi] for gi in keep]
    n_groups = len(groups)
    strength = strength[keep]

    # Capacity of every group→village pair: its officers minus those living there; 0 = no arc.
    pair_caps = np.repeat(strength[:, None], n_villages, axis=1)
    pair_caps[:, [not _reachable(v) for v in villages]] = 0
    allowed = _allowed_mask(groups, village_index, n_villages)
    pair_caps[~allowed] = 0
    known = ~np.isnan(km)
    cost_km = np.where(known, km, fill_km)
    boat_group = np.array([g.capability == BOAT_CREW for g in groups], dtype=bool)
    surcharge = np.where(boat_group & np.array([g.bko for g in groups], dtype=bool), FOREIGN_BOAT_KM, 0.0)
    for gi, group in enumerate(groups):
        for village_id in group.home_village_ids.values():
            if village_id in village_index:
                pair_caps[gi, village_index[village_id]] -= 1
    need_of = np.array([v.need for v in villages], dtype=np.int64)
    level_of = np.array([v.level for v in villages], dtype=np.int64)
    boat_of = np.array(
        [min(v.boat_need, v.need) if v.sea_access_only else 0 for v in villages], dtype=np.int64
    )
    boat_total = int(boat_of.sum())
    # A boat slot per reachable sea village: every boat crew officer reaches it through the slot
    # (one arc per group, so the residents' rule holds), the first ``boat`` of them earn the bonus.
    slot_villages = np.flatnonzero((boat_of > 0) & pair_caps.any(axis=0))
    slot_of = np.full(n_villages, -1)
    slot_of[slot_villages] = np.arange(len(slot_villages))
    n_slots = len(slot_villages)
    reserve_need = max(int(reserve_need), 0)
    brimob_groups = np.flatnonzero([g.capability == BRIMOB for g in groups]) if reserve_need else np.array([])

    travel_tails, travel_villages = np.nonzero(pair_caps > 0)
    through_slot = boat_group[travel_tails] & (slot_of[travel_villages] >= 0)
    heads = np.where(
        through_slot, n_groups + n_villages + slot_of[travel_villages], n_groups + travel_villages
    )
    travel_cost = np.rint(
        (cost_km[travel_tails, travel_villages] + np.where(through_slot, surcharge[travel_tails], 0.0)) * 1000
    ).astype(np.int64)
    travel_known = known[travel_tails, travel_villages]
    # Reserve arcs: Brimob groups stay at base (no travel); village -1 marks them.
    reserve_node = n_groups + n_villages + n_slots
    arc_tails = np.concatenate([travel_tails, brimob_groups]).astype(np.int64)
    arc_heads = np.concatenate([heads, np.full(len(brimob_groups), reserve_node)]).astype(np.int64)
    arc_village = np.concatenate([travel_villages, np.full(len(brimob_groups), -1)]).astype(np.int64)
    arc_caps = np.concatenate([pair_caps[travel_tails, travel_villages], strength[brimob_groups.astype(int)]])
    arc_cost = np.concatenate([travel_cost, np.zeros(len(brimob_groups), dtype=np.int64)])
    group_arcs = len(arc_tails)

    # Priority classes, lowest first: the levels, with the reaction reserve just above Aman.
    classes = sorted({float(v.level) for v in villages} | ({RESERVE_CLASS} if reserve_need else set()))
    longest = int(arc_cost.max(initial=0))
    bound = min(n_groups, n_villages + n_slots + 1) * longest
    penalty = {c: (rank + 1) * (bound + 1) for rank, c in enumerate(classes)}
    boat_bonus = (len(classes) + 1) * (bound + 1)

    slack, sink = reserve_node + 1, reserve_node + 2
    need_total = int(need_of.sum()) + reserve_need
    group_ids, village_ids = np.arange(n_groups), np.arange(n_villages)
    slot_nodes = n_groups + n_villages + np.arange(n_slots)
    slot_rest = need_of[slot_villages] - boat_of[slot_villages]
    tails = np.concatenate(
        [arc_tails, slot_nodes, slot_nodes, group_ids, np.full(n_villages, slack), [slack, slack]]
    )
    heads = np.concatenate(
        [
            arc_heads,
            n_groups + slot_villages,
            n_groups + slot_villages,
            np.full(n_groups, sink),
            village_ids + n_groups,
            [reserve_node, sink],
        ]
    )
    base_caps = np.concatenate(
        [arc_caps, boat_of[slot_villages], slot_rest, strength, need_of, [reserve_need, need_total]]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            arc_cost,
            np.full(n_slots, -boat_bonus),
            np.zeros(n_slots),
            np.zeros(n_groups),
            [penalty[float(level)] for level in level_of],
            [penalty.get(RESERVE_CLASS, 0), 0],
        ]
    ).astype(np.int64)
    bonus_arcs = slice(group_arcs, group_arcs + n_slots)
    slack_arc_start = group_arcs + 2 * n_slots + n_groups

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), heads.astype(np.int64), base_caps, costs
    )
    supplies = np.concatenate(
        [strength, -need_of, np.zeros(n_slots), [-reserve_need, need_total, -int(strength.sum())]]
    ).astype(np.int64)
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int64), supplies)
    build_seconds = time.perf_counter() - started
    village_arcs = arc_village >= 0
    level_classes = list(reversed(classes))

    def solve(zero: frozenset[int], pair: frozenset[int]) -> _Node | None:
        node_caps = base_caps.copy()
        if zero:
            node_caps[:group_arcs][np.isin(arc_village, list(zero))] = 0
        for vi in pair:
            node_caps[slack_arc_start + vi] = need_of[vi] - MIN_TEAM
        flow.set_arc_capacities(arcs, node_caps)
        if flow.solve() != flow.OPTIMAL:
            return None
        all_flows = flow.flows(arcs)
        travel_flow = all_flows[:group_arcs]
        added = np.bincount(
            arc_village[village_arcs], weights=travel_flow[village_arcs], minlength=n_villages
        ).astype(np.int64)
        unmet = need_of - added
        reserved = int(travel_flow[~village_arcs].sum())
        by_class = {float(level): int(unmet[level_of == level].sum()) for level in set(level_of.tolist())}
        by_class[RESERVE_CLASS] = reserve_need - reserved
        key = (
            *((boat_total - int(all_flows[bonus_arcs].sum()),) if boat_total else ()),
            *(by_class.get(c, 0) for c in level_classes),
            int(travel_flow @ arc_cost) + binaan.travel_m,
        )
        lone = np.flatnonzero(pair_villages & (added == 1))
        return _Node(key, next(tiebreak), zero, pair, travel_flow, lone)

    pair_villages = np.array([_needs_pair(v) for v in villages], dtype=bool)
    solve_started = time.perf_counter()
    tiebreak = itertools.count()
    root = solve(frozenset(), frozenset())
    assert root is not None, "the network always has a feasible flow: slack covers every need"
    best, optimal, branch_nodes = _branch_and_bound(root, solve, level_of, max_branch_nodes)
    solve_seconds = time.perf_counter() - solve_started

    key, travel_flow = best.key, best.travel_flow
    named, reserve = _name_officers(
        groups=groups,
        villages=villages,
        tails=arc_tails,
        targets=np.where(village_arcs, arc_village, n_villages),
        travel_cost=np.where(
            np.concatenate([travel_known, np.ones(len(brimob_groups), dtype=bool)]),
            np.concatenate(
                [
                    np.rint(cost_km[travel_tails, travel_villages] * 1000).astype(np.int64),
                    np.zeros(len(brimob_groups), dtype=np.int64),
                ]
            ),
            -1,
        ),
        travel_flow=travel_flow,
    )
    placements = _give_roles(groups=groups, villages=villages, placements=named, boat_of=boat_of)
    placements = tuple(sorted((*binaan.placements, *map(_as_patrol, placements)), key=_placement_order))
    added = np.bincount(arc_village[village_arcs], weights=travel_flow[village_arcs], minlength=n_villages)
    added = added.astype(np.int64)
    boat_team = Counter(p.village_id for p in placements if p.role == ROLE_BOAT)  # one pass, not per village
    outcomes = tuple(
        VillageOutcome(
            village_id=v.village_id,
            level=v.level,
            need=v.need + binaan.count.get(v.village_id, 0),
            locked=v.locked - binaan.count.get(v.village_id, 0),
            added=int(added[i]) + binaan.count.get(v.village_id, 0),
            shortfall=v.need - int(added[i]),
            sea_access_only=v.sea_access_only,
            boat_need=int(boat_of[i]),
            boat_team=boat_team[v.village_id],
        )
        for i, v in enumerate(villages)
    )
    patrol_outcomes = tuple(
        PatrolOutcome(
            kecamatan_id=o.village_id.kecamatan_id,
            need=o.need,
            locked=o.locked,
            added=o.added,
            shortfall=o.shortfall,
        )
        for o in outcomes[n_real:]
    )
    outcomes = outcomes[:n_real]
    offset = 1 if boat_total else 0
    by_class = dict(zip(level_classes, key[offset:-1], strict=True))
    apart = {RESERVE_CLASS, float(PATROL_LEVEL) if patrol_outcomes else None}
    return AllocationResult(
        placements=placements,
        villages=outcomes,
        unmet_by_level={int(c): n for c, n in by_class.items() if c not in apart},
        total_distance_m=sum(p.distance_m for p in placements if p.distance_m is not None),
        objective=key,
        optimal=optimal,
        branch_nodes=branch_nodes,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        reserve_officer_ids=tuple(reserve),
        boat_unmet=key[0] if boat_total else 0,
        reserve_unmet=by_class.get(RESERVE_CLASS, 0),
        patrols=patrol_outcomes,
        patrol_unmet=sum(o.shortfall for o in patrol_outcomes),
    )


@dataclass(frozen=True)
class _PatrolPlace:
    """The id of a kecamatan's patrol among the places the network fills (never equal to a village id)."""

    kecamatan_id: int


def _with_patrol_places(
    groups: Sequence[SupplyGroup], villages: Sequence[VillageDemand], patrols: Sequence[PatrolDemand]
) -> tuple[list[SupplyGroup], list[VillageDemand]]:
    """Each patrol as one more place of class PATROL_LEVEL after the villages, open to the groups that
    may serve anywhere and to the Polsek whose kecamatan it is."""
    if not patrols:
        return list(groups), list(villages)
    places = [
        VillageDemand(
            village_id=_PatrolPlace(p.kecamatan_id),
            level=PATROL_LEVEL,
            need=p.need,
            locked=p.locked,
            latitude=p.latitude,
            longitude=p.longitude,
        )
        for p in patrols
    ]
    widened = [
        g
        if g.allowed_village_ids is None
        else replace(
            g,
            allowed_village_ids=g.allowed_village_ids
            | {_PatrolPlace(k) for k in g.allowed_kecamatan_ids or ()},
        )
        for g in groups
    ]
    return widened, [*villages, *places]


def _placement_order(p: Placement) -> tuple[bool, int, int]:
    """Villages first, then patrols, each by id and officer."""
    return (p.village_id is None, p.kecamatan_id if p.village_id is None else p.village_id, p.officer_id)


def _as_patrol(placement: Placement) -> Placement:
    if not isinstance(placement.village_id, _PatrolPlace):
        return placement
    return replace(
        placement, village_id=None, kecamatan_id=placement.village_id.kecamatan_id, role=ROLE_PATROL
    )


@dataclass(frozen=True)
class _Binaan:
    placements: tuple[Placement, ...]
    count: dict[int, int]
    travel_m: int


def _place_bhabinkamtibmas(
    groups: Sequence[SupplyGroup], villages: Sequence[VillageDemand], km: np.ndarray, fill_km: float
) -> tuple[_Binaan, list[SupplyGroup], list[VillageDemand]]:
    """Post each Bhabinkamtibmas to his desa binaan first: a side constraint fixed before the flow.

    He goes there when it still needs officers, is inside his unit's area and is not where he lives
    (then he is an ordinary officer of his unit). He then counts like a posted officer: the
    village's need drops by one and it is no longer empty (the pairs rule is about empty villages).
    """
    index = {v.village_id: i for i, v in enumerate(villages)}
    # The boat team's part of a sea village's need is for boat crew: a Bhabinkamtibmas takes the rest.
    boat = [min(v.boat_need, v.need) if v.sea_access_only else 0 for v in villages]
    need = [v.need - b for v, b in zip(villages, boat, strict=True)]
    count: dict[int, int] = {}
    placements: list[Placement] = []
    travel_m = 0
    remaining: list[SupplyGroup] = []
    for gi, group in enumerate(groups):
        placed: set[int] = set()
        for officer in group.officer_ids:
            village_id = group.binaan_village_ids.get(officer)
            vi = index.get(village_id) if village_id is not None else None
            if (
                vi is None
                or need[vi] <= 0
                or group.home_village_ids.get(officer) == village_id
                or (group.allowed_village_ids is not None and village_id not in group.allowed_village_ids)
            ):
                continue
            need[vi] -= 1
            count[village_id] = count.get(village_id, 0) + 1
            placed.add(officer)
            metres = None if np.isnan(km[gi, vi]) else int(round(km[gi, vi] * 1000))
            travel_m += int(round((fill_km if metres is None else km[gi, vi]) * 1000))
            placements.append(Placement(officer, group.unit_id, village_id, metres, role=ROLE_BINAAN))
        remaining.append(
            replace(group, officer_ids=tuple(o for o in group.officer_ids if o not in placed))
            if placed
            else group
        )
    reduced = [
        replace(v, need=need[i] + boat[i], locked=v.locked + count.get(v.village_id, 0))
        if v.village_id in count
        else v
        for i, v in enumerate(villages)
    ]
    return _Binaan(tuple(placements), count, travel_m), remaining, reduced


def _give_roles(
    *,
    groups: Sequence[SupplyGroup],
    villages: Sequence[VillageDemand],
    placements: Sequence[Placement],
    boat_of: np.ndarray,
) -> list[Placement]:
    """Name the boat team and the escorts among each village's new officers; the rest guard.

    Boat team: the first boat-crew officers at a sea village (the Polres's own units before BKO).
    Escorts: for each candidate in turn, in pairs, from the village's other new officers, leaving
    the polling stations at least a pair (counting officers already posted there); whatever the
    village still lacks after that is left unfilled and shows as its shortfall.
    """
    boat_units = {g.unit_id: g.bko for g in groups if g.capability == BOAT_CREW}
    by_village: dict[int, list[Placement]] = {}
    for p in placements:
        by_village.setdefault(p.village_id, []).append(p)
    index = {v.village_id: i for i, v in enumerate(villages)}
    result: list[Placement] = []
    for village_id, team in by_village.items():
        vi = index[village_id]
        village = villages[vi]
        crew = sorted((p for p in team if p.unit_id in boat_units), key=lambda p: boat_units[p.unit_id])
        boat = {p.officer_id for p in crew[: int(boat_of[vi])]}
        others = [p for p in team if p.officer_id not in boat]
        result.extend(replace(p, role=ROLE_BOAT) for p in team if p.officer_id in boat)
        floor = max(MIN_TEAM - village.locked, 0)
        free = len(others)
        escorts: list[Placement] = []
        for candidate_id, wanted in village.escorts:
            take = min(wanted, free - floor)
            take -= take % 2
            if take < MIN_TEAM:
                continue
            # The most junior go with the candidate; the senior stay to lead at the TPS.
            chosen, others = others[-take:], others[:-take]
            free -= take
            escorts.extend(replace(p, role=ROLE_ESCORT, candidate_id=candidate_id) for p in chosen)
        result.extend(escorts)
        result.extend(others)
    return result


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
    targets: np.ndarray,
    travel_cost: np.ndarray,
    travel_flow: np.ndarray,
) -> tuple[list[Placement], list[int]]:
    """Turn per-group counts into named officers, never one at the village he lives in.

    ``targets`` holds each arc's village index, or ``len(villages)`` for the reaction reserve;
    ``travel_cost`` each arc's metres, or -1 where the distance is unknown. Returns the placements
    and the officers kept in the reserve.

    Slots of a group: its counts per village plus its unused officers. Officers come in the
    caller's order (seniority): the first take the unused slots, so a unit's commanders stay free
    when it has officers to spare, and the rest go to the village with the most open slots (a
    heap), so the senior officers spread over the teams. An officer never takes a slot at the
    village he lives in; if only such slots are left, he swaps with a placed officer who does not
    live there. Such an officer exists because the arc capacity kept the slots at that village at
    most the group's non-residents (Hall's condition), whatever the order.
    """
    reserve_target = len(villages)
    placements: list[Placement] = []
    reserve: list[int] = []
    used = np.flatnonzero(travel_flow > 0)
    by_group: dict[int, list[int]] = {}
    for arc in used:
        by_group.setdefault(int(tails[arc]), []).append(int(arc))
    for gi, group_arcs in by_group.items():
        group = groups[gi]
        open_slots: dict[int, int] = {}
        metres: dict[int, int] = {}
        for arc in group_arcs:
            vi = int(targets[arc])
            open_slots[vi] = open_slots.get(vi, 0) + int(travel_flow[arc])
            metres[vi] = int(travel_cost[arc])
        unused = len(group.officer_ids) - sum(open_slots.values())
        fullest = [(-n, vi) for vi, n in open_slots.items()]
        heapq.heapify(fullest)
        village_index = {villages[vi].village_id: vi for vi in metres if vi != reserve_target}
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
        for officer, vi in placed.items():
            if vi is None:
                continue
            if vi == reserve_target:
                reserve.append(officer)
                continue
            placements.append(
                Placement(
                    officer_id=officer,
                    unit_id=group.unit_id,
                    village_id=villages[vi].village_id,
                    distance_m=None if metres[vi] < 0 else metres[vi],
                )
            )
    return placements, reserve

"""The allocation solver against an independent officer-level MILP (scipy/HiGHS) and crafted cases."""

import random
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from operations.allocation.solver import (
    SupplyGroup,
    VillageDemand,
    allocate,
    sea_leg_km,
    travel_km,
    travel_km_matrix,
)


def metres(group: SupplyGroup, villages: list[VillageDemand], groups=None) -> list[int]:
    """The solver's travel cost: known kilometres, an unknown trip as long as the longest known."""
    every = travel_km_matrix([g for g in groups or [group] if g.officer_ids], villages)
    longest = np.nanmax(every, initial=0.0) if (~np.isnan(every)).any() else 0.0
    return [round((longest if np.isnan(km) else km) * 1000) for km in travel_km(group, villages)]


def lexicographic_milp(groups, villages, *, pairs: bool = True) -> tuple[int, ...]:
    """Optimum of the same objective, one binary per officer and village, solved level by level."""
    officers = [(g, o) for g in groups for o in g.officer_ids]
    dist = {id(g): metres(g, villages, groups) for g in groups}
    y = [
        (oi, vi)
        for oi, (g, o) in enumerate(officers)
        for vi, v in enumerate(villages)
        if (g.allowed_village_ids is None or v.village_id in g.allowed_village_ids)
        and g.home_village_ids.get(o) != v.village_id
    ]
    n_y, n_v = len(y), len(villages)
    pair_vs = [vi for vi, v in enumerate(villages) if pairs and v.locked == 0]
    n = n_y + n_v + len(pair_vs)  # y, unmet u, pair switch z
    rows, lb, ub = [], [], []

    def row(entries, lo, hi):
        r = np.zeros(n)
        for col, coef in entries:
            r[col] += coef
        rows.append(r)
        lb.append(lo)
        ub.append(hi)

    for oi in range(len(officers)):
        row([(k, 1) for k, (o, _) in enumerate(y) if o == oi], 0, 1)
    for vi, v in enumerate(villages):
        row([(k, 1) for k, (_, w) in enumerate(y) if w == vi] + [(n_y + vi, 1)], v.need, v.need)
    for zi, vi in enumerate(pair_vs):
        z = n_y + n_v + zi
        into = [(k, 1) for k, (_, w) in enumerate(y) if w == vi]
        row([*into, (z, -2)], 0, np.inf)
        row([*into, (z, -villages[vi].need)], -np.inf, 0)
    bounds_hi = np.array([1] * n_y + [v.need for v in villages] + [1] * len(pair_vs), dtype=float)
    travel = np.zeros(n)
    for k, (oi, vi) in enumerate(y):
        travel[k] = dist[id(officers[oi][0])][vi]

    objectives = []
    for level in sorted({v.level for v in villages}, reverse=True):
        c = np.zeros(n)
        for vi, v in enumerate(villages):
            if v.level == level:
                c[n_y + vi] = 1
        objectives.append(c)
    objectives.append(travel)

    key = []
    for c in objectives:
        res = milp(
            c,
            integrality=np.ones(n),
            bounds=(np.zeros(n), bounds_hi),
            constraints=LinearConstraint(np.array(rows).reshape(-1, n), lb, ub) if rows else (),
            options={"mip_rel_gap": 0},
        )
        assert res.status == 0, res.message
        best = round(res.fun)
        key.append(best)
        row([(col, coef) for col, coef in enumerate(c) if coef], -np.inf, best + 0.5)
    return tuple(key)


def assert_feasible(groups, villages, result) -> None:
    by_officer = Counter(p.officer_id for p in result.placements)
    assert all(count == 1 for count in by_officer.values()), "an officer placed twice"
    group_of = {o: g for g in groups for o in g.officer_ids}
    added = Counter(p.village_id for p in result.placements)
    for p in result.placements:
        group = group_of[p.officer_id]
        assert p.unit_id == group.unit_id
        assert group.allowed_village_ids is None or p.village_id in group.allowed_village_ids
        assert group.home_village_ids.get(p.officer_id) != p.village_id, "neutrality broken"
    for v, outcome in zip(villages, result.villages, strict=True):
        assert outcome.added == added[v.village_id] <= v.need
        assert outcome.shortfall == v.need - outcome.added
        if v.locked == 0:
            assert outcome.added != 1, "lone officer"
    assert result.total_distance_m == sum(p.distance_m or 0 for p in result.placements)
    for p in result.placements:
        known = travel_km(group_of[p.officer_id], [v for v in villages if v.village_id == p.village_id])[0]
        assert (p.distance_m is None) == bool(np.isnan(known)), "an unknown distance must stay unknown"


def random_point(rng: random.Random) -> tuple[float, float]:
    return -6.0 - rng.random() * 0.5, 106.0 + rng.random() * 0.5


def random_case(rng: random.Random):
    villages = []
    for vid in range(1, rng.randint(3, 8) + 1):
        coords = (
            (-6.0 - rng.random() * 0.5, 106.0 + rng.random() * 0.5) if rng.random() > 0.1 else (None, None)
        )
        villages.append(
            VillageDemand(
                village_id=vid,
                level=rng.randint(1, 3),
                need=rng.choice([0, 1, 2, 2, 3, 4, 4, 6]),
                locked=rng.choice([0, 0, 0, 1, 2]),
                latitude=coords[0],
                longitude=coords[1],
            )
        )
    ids = [v.village_id for v in villages]
    groups = []
    next_officer = 100
    for unit in range(1, rng.randint(2, 5) + 1):
        officers = tuple(range(next_officer, next_officer + rng.randint(0, 5)))
        next_officer += 10
        allowed = None if rng.random() < 0.4 else frozenset(rng.sample(ids, rng.randint(1, len(ids))))
        coords = (
            (-6.0 - rng.random() * 0.5, 106.0 + rng.random() * 0.5) if rng.random() > 0.15 else (None, None)
        )
        homes = {o: rng.choice(ids) for o in officers if rng.random() < 0.25}
        groups.append(SupplyGroup(unit, officers, coords[0], coords[1], allowed, homes))
    return groups, villages


@pytest.mark.parametrize("seed", range(200))
def test_solver_matches_independent_milp_on_random_cases(seed):
    groups, villages = random_case(random.Random(seed))

    result = allocate(groups=groups, villages=villages)

    assert result.optimal
    assert_feasible(groups, villages, result)
    assert result.objective == lexicographic_milp(groups, villages)


def village(vid, level, need, lat, lon, locked=0):
    return VillageDemand(village_id=vid, level=level, need=need, locked=locked, latitude=lat, longitude=lon)


def test_sangat_rawan_is_covered_before_rawan_even_if_farther():
    groups = [SupplyGroup(unit_id=1, officer_ids=(1, 2), latitude=-6.0, longitude=106.0)]
    rawan_next_door = village(10, 2, 2, -6.0, 106.001)
    sangat_rawan_far = village(11, 3, 2, -6.5, 106.5)

    result = allocate(groups=groups, villages=[rawan_next_door, sangat_rawan_far])

    added = {v.village_id: v.added for v in result.villages}
    assert added == {10: 0, 11: 2}
    assert result.unmet_by_level == {3: 0, 2: 2}


def test_shortfall_lands_on_aman_first_then_rawan():
    groups = [SupplyGroup(unit_id=1, officer_ids=(1, 2, 3, 4), latitude=-6.0, longitude=106.0)]
    aman_close = village(10, 1, 2, -6.0, 106.001)
    rawan = village(11, 2, 2, -6.2, 106.2)
    sangat_rawan = village(12, 3, 4, -6.4, 106.4)

    fewer = allocate(groups=groups, villages=[aman_close, rawan, sangat_rawan])
    more = allocate(
        groups=[SupplyGroup(unit_id=1, officer_ids=(1, 2, 3, 4, 5, 6), latitude=-6.0, longitude=106.0)],
        villages=[aman_close, rawan, sangat_rawan],
    )

    assert {v.village_id: v.shortfall for v in fewer.villages} == {10: 2, 11: 2, 12: 0}
    assert {v.village_id: v.shortfall for v in more.villages} == {10: 2, 11: 0, 12: 0}


def test_lone_officer_is_repaired_to_the_true_optimum():
    # Three officers: two cover Sangat Rawan; the plain flow sends the third to the near Rawan
    # village (alone); the optimum sends him to the farther one that already has an officer.
    groups = [SupplyGroup(unit_id=1, officer_ids=(1, 2, 3), latitude=-6.0, longitude=106.0)]
    villages = [
        village(10, 3, 2, -6.1, 106.1),
        village(11, 2, 2, -6.0, 106.01),
        village(12, 2, 1, -6.3, 106.3, locked=1),
    ]

    result = allocate(groups=groups, villages=villages)

    assert lexicographic_milp(groups, villages, pairs=False) < result.objective
    assert result.objective == lexicographic_milp(groups, villages)
    assert {v.village_id: v.added for v in result.villages} == {10: 2, 11: 0, 12: 1}
    assert result.branch_nodes > 0
    assert result.optimal


def test_polsek_officers_stay_in_their_jurisdiction():
    polsek = SupplyGroup(
        unit_id=1, officer_ids=(1, 2), latitude=-6.0, longitude=106.0, allowed_village_ids=frozenset({11})
    )
    outside_next_door = village(10, 3, 2, -6.0, 106.001)
    own_far = village(11, 1, 2, -6.4, 106.4)

    result = allocate(groups=[polsek], villages=[outside_next_door, own_far])

    assert {p.village_id for p in result.placements} == {11}


def test_officer_never_guards_his_home_village():
    groups = [
        SupplyGroup(
            unit_id=1, officer_ids=(1, 2, 3), latitude=-6.0, longitude=106.0, home_village_ids={1: 10}
        )
    ]

    result = allocate(groups=groups, villages=[village(10, 3, 3, -6.1, 106.1)])

    assert sorted(p.officer_id for p in result.placements) == [2, 3]
    assert result.villages[0].shortfall == 1


def test_residents_swap_so_everyone_is_placed_neutrally():
    # Both villages draw on the same group, and residents of each must go to the other.
    homes = {1: 10, 2: 10, 3: 11, 4: 11}
    groups = [
        SupplyGroup(
            unit_id=1, officer_ids=(1, 2, 3, 4), latitude=-6.0, longitude=106.0, home_village_ids=homes
        )
    ]

    result = allocate(
        groups=groups, villages=[village(10, 3, 2, -6.1, 106.1), village(11, 3, 2, -6.2, 106.2)]
    )

    assert {p.officer_id: p.village_id for p in result.placements} == {1: 11, 2: 11, 3: 10, 4: 10}


@pytest.mark.parametrize(
    ("allowed", "unit_coords", "village_coords"),
    [
        (frozenset({10}), (None, None), (-6.1, 106.1)),
        (frozenset({10}), (-6.0, 106.0), (None, None)),
        (None, (None, None), (-6.1, 106.1)),
    ],
)
def test_unknown_coordinates_give_an_unknown_distance_not_a_placeholder(allowed, unit_coords, village_coords):
    group = SupplyGroup(1, (1, 2), unit_coords[0], unit_coords[1], allowed)
    villages = [village(10, 3, 2, *village_coords)]

    assert np.isnan(travel_km(group, villages)[0])
    result = allocate(groups=[group], villages=villages)
    assert [p.distance_m for p in result.placements] == [None, None]
    assert result.total_distance_m == 0


def test_great_circle_distance_between_known_points():
    group = SupplyGroup(1, (1,), -6.0, 106.0)
    # One degree of longitude on the parallel 6° S: 111.2 km · cos 6°.
    assert travel_km(group, [village(10, 1, 2, -6.0, 107.0)])[0] == pytest.approx(110.6, abs=0.1)


def sea_village(village_id, need, port=(-6.0348, 106.1618)):
    """Wargasara (Pulau Tunda, real centroid) reached from Pelabuhan Karangantu."""
    return VillageDemand(
        village_id=village_id, level=2, need=need, latitude=-5.811651, longitude=106.277671,
        sea_access_only=True, port_latitude=port[0], port_longitude=port[1],
    )  # fmt: skip


def test_sea_village_travel_is_the_land_leg_to_the_port_plus_the_sea_leg():
    polres = SupplyGroup(1, (1, 2), -6.1204, 106.1503)  # Mako Polres Serang (approximate)
    wargasara = sea_village(10, 2)

    sea = sea_leg_km([wargasara])[0]
    total = travel_km(polres, [wargasara])[0]

    assert sea == pytest.approx(27.9, abs=0.3)  # Karangantu → Pulau Tunda
    assert total - sea == pytest.approx(9.6, abs=0.3)  # Mako → Karangantu by land
    assert total > travel_km(polres, [village(10, 2, 2, -5.811651, 106.277671)])[0]


def test_sea_village_without_a_port_has_an_unknown_distance():
    polres = SupplyGroup(1, (1, 2), -6.1204, 106.1503)
    wargasara = sea_village(10, 2, port=(None, None))
    assert np.isnan(sea_leg_km([wargasara])[0])
    assert np.isnan(travel_km(polres, [wargasara])[0])


def test_nearer_polsek_officers_are_chosen_over_a_farther_units_at_equal_priority():
    """Real centroids (Renged, Kab. Serang): Polsek Carenang's men, ~9.5 km away, go before the
    Polres HQ's, ~25 km away, though either could cover the village."""
    renged = village(10, 2, 2, -6.143968, 106.376844)
    polres = SupplyGroup(unit_id=1, officer_ids=(1, 2), latitude=-6.1204, longitude=106.1503)
    carenang = SupplyGroup(
        unit_id=2,
        officer_ids=(3, 4),
        latitude=-6.0703,
        longitude=106.3332,
        allowed_village_ids=frozenset({10}),
    )

    result = allocate(groups=[polres, carenang], villages=[renged])

    assert {p.unit_id for p in result.placements} == {2}
    assert all(9 < p.distance_m / 1000 < 10 for p in result.placements)
    assert result.total_distance_m == sum(p.distance_m for p in result.placements)


def test_branch_limit_still_returns_a_pairs_feasible_answer():
    groups = [SupplyGroup(unit_id=1, officer_ids=(1, 2, 3), latitude=-6.0, longitude=106.0)]
    villages = [
        village(10, 3, 2, -6.1, 106.1),
        village(11, 2, 2, -6.0, 106.01),
        village(12, 2, 2, -6.3, 106.3),
    ]

    result = allocate(groups=groups, villages=villages, max_branch_nodes=0)

    assert not result.optimal
    assert_feasible(groups, villages, result)
    assert {v.village_id: v.added for v in result.villages}[10] == 2


def test_locked_officers_count_towards_pairs():
    groups = [SupplyGroup(unit_id=1, officer_ids=(1,), latitude=-6.0, longitude=106.0)]

    result = allocate(groups=groups, villages=[village(10, 2, 1, -6.1, 106.1, locked=1)])

    assert result.villages[0].total == 2
    assert result.villages[0].shortfall == 0


def test_commanders_stay_free_and_seniors_spread_over_the_teams():
    # Officers are listed most senior first, as the proposal service reads them.
    groups = [SupplyGroup(1, (1, 2, 3, 4, 5), -6.0, 106.0)]
    villages = [village(10, 3, 2, -6.1, 106.1), village(11, 3, 2, -6.2, 106.2)]

    result = allocate(groups=groups, villages=villages)

    by_officer = {p.officer_id: p.village_id for p in result.placements}
    assert 1 not in by_officer
    assert by_officer[2] != by_officer[3]

"""Allocation rules (boat teams, Brimob reserve, desa binaan, escorts) against an independent MILP."""

import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp

from operations.allocation.solver import (
    BOAT_CREW,
    BRIMOB,
    FOREIGN_BOAT_KM,
    MIN_TEAM,
    PATROL_LEVEL,
    RESERVE_CLASS,
    ROLE_BINAAN,
    ROLE_BOAT,
    ROLE_ESCORT,
    ROLE_PATROL,
    PatrolDemand,
    SupplyGroup,
    VillageDemand,
    allocate,
    travel_km_matrix,
)


def binaan_fixed(groups, villages) -> dict[int, int]:
    """officer → village where the desa-binaan rule posts him before anything else."""
    index = {v.village_id: v for v in villages}
    need = {v.village_id: v.need - (min(v.boat_need, v.need) if v.sea_access_only else 0) for v in villages}
    fixed = {}
    for g in groups:
        for o in g.officer_ids:
            v = g.binaan_village_ids.get(o)
            if v not in index or need[v] <= 0 or g.home_village_ids.get(o) == v:
                continue
            if g.allowed_village_ids is not None and v not in g.allowed_village_ids:
                continue
            need[v] -= 1
            fixed[o] = v
    return fixed


def patrol_places(patrols) -> list[VillageDemand]:
    """Patrols written as places of their own class: a kecamatan's patrol is filled like a village."""
    return [
        VillageDemand(
            village_id=("patrol", p.kecamatan_id),
            level=PATROL_LEVEL,
            need=p.need,
            locked=p.locked,
            latitude=p.latitude,
            longitude=p.longitude,
        )
        for p in patrols
    ]


def may_serve(group, place) -> bool:
    if isinstance(place.village_id, tuple):  # a patrol: a Polsek only in its own kecamatan
        return group.allowed_village_ids is None or place.village_id[1] in (group.allowed_kecamatan_ids or ())
    return group.allowed_village_ids is None or place.village_id in group.allowed_village_ids


def rules_milp(groups, villages, reserve_need=0, patrols=()) -> tuple[int, ...]:
    """The lexicographic optimum with every rule, one binary per officer and village or patrol."""
    groups = [g for g in groups if g.officer_ids]
    villages = [*villages, *patrol_places(patrols)]
    km = travel_km_matrix(groups, villages)
    fill = np.nanmax(km) if (~np.isnan(km)).any() else 0.0
    km = np.where(np.isnan(km), fill, km)
    officers = [(gi, g, o) for gi, g in enumerate(groups) for o in g.officer_ids]
    fixed = binaan_fixed(groups, villages)
    boat_of = [min(v.boat_need, v.need) if v.sea_access_only else 0 for v in villages]

    def cost(gi, g, vi):
        extra = FOREIGN_BOAT_KM if g.capability == BOAT_CREW and g.bko and boat_of[vi] > 0 else 0.0
        return round((km[gi, vi] + extra) * 1000)

    y = []
    for oi, (_gi, g, o) in enumerate(officers):
        for vi, v in enumerate(villages):
            if may_serve(g, v) and g.home_village_ids.get(o) != v.village_id:
                y.append((oi, vi))
    brimob = [oi for oi, (_, g, _) in enumerate(officers) if g.capability == BRIMOB] if reserve_need else []
    n_y, n_v, n_r = len(y), len(villages), len(brimob)
    binaan_villages = set(fixed.values())
    pair_vs = [vi for vi, v in enumerate(villages) if v.locked == 0 and v.village_id not in binaan_villages]
    boat_vs = [vi for vi in range(n_v) if boat_of[vi] > 0]
    # columns: y, r (reserve), u (unmet per village), u_R, z (pairs), w (boat met)
    c_r, c_u = n_y, n_y + n_r
    c_ur = c_u + n_v
    c_z = c_ur + 1
    c_w = c_z + len(pair_vs)
    n = c_w + len(boat_vs)
    rows, lb, ub = [], [], []

    def row(entries, lo, hi):
        r = np.zeros(n)
        for col, coef in entries:
            r[col] += coef
        rows.append(r)
        lb.append(lo)
        ub.append(hi)

    lo_bounds = np.zeros(n)
    hi_bounds = np.ones(n)
    for k, (oi, vi) in enumerate(y):
        if fixed.get(officers[oi][2]) == villages[vi].village_id:
            lo_bounds[k] = 1
    for oi in range(len(officers)):
        row(
            [(k, 1) for k, (o, _) in enumerate(y) if o == oi]
            + [(c_r + j, 1) for j, b in enumerate(brimob) if b == oi],
            0,
            1,
        )
    for vi, v in enumerate(villages):
        row([(k, 1) for k, (_, w) in enumerate(y) if w == vi] + [(c_u + vi, 1)], v.need, v.need)
        hi_bounds[c_u + vi] = v.need
    row([(c_r + j, 1) for j in range(n_r)] + [(c_ur, 1)], reserve_need, reserve_need)
    hi_bounds[c_ur] = reserve_need
    for zi, vi in enumerate(pair_vs):
        into = [(k, 1) for k, (_, w) in enumerate(y) if w == vi]
        row([*into, (c_z + zi, -MIN_TEAM)], 0, np.inf)
        row([*into, (c_z + zi, -villages[vi].need)], -np.inf, 0)
    for wi, vi in enumerate(boat_vs):
        crew = [(k, 1) for k, (oi, w) in enumerate(y) if w == vi and officers[oi][1].capability == BOAT_CREW]
        row([*crew, (c_w + wi, -1)], 0, np.inf)
        hi_bounds[c_w + wi] = boat_of[vi]
    travel = np.zeros(n)
    for k, (oi, vi) in enumerate(y):
        travel[k] = cost(officers[oi][0], officers[oi][1], vi)

    objectives, constants = [], []
    if sum(boat_of):
        c = np.zeros(n)
        c[c_w : c_w + len(boat_vs)] = -1
        objectives.append(c)
        constants.append(sum(boat_of))
    classes = sorted({float(v.level) for v in villages} | ({RESERVE_CLASS} if reserve_need else set()))
    for cls in reversed(classes):
        c = np.zeros(n)
        if cls == RESERVE_CLASS:
            c[c_ur] = 1
        for vi, v in enumerate(villages):
            if float(v.level) == cls:
                c[c_u + vi] = 1
        objectives.append(c)
        constants.append(0)
    objectives.append(travel)
    constants.append(0)

    key = []
    for c, constant in zip(objectives, constants, strict=True):
        res = milp(
            c,
            integrality=np.ones(n),
            bounds=(lo_bounds, hi_bounds),
            constraints=LinearConstraint(np.array(rows).reshape(-1, n), lb, ub),
            options={"mip_rel_gap": 0},
        )
        assert res.status == 0, res.message
        best = round(res.fun)
        key.append(best + constant)
        row([(col, coef) for col, coef in enumerate(c) if coef], -np.inf, best + 0.5)
    return tuple(key)


def random_rules_case(rng: random.Random):
    villages = []
    for vid in range(1, rng.randint(3, 7) + 1):
        sea = rng.random() < 0.25
        need = rng.choice([0, 1, 2, 3, 4, 4, 6])
        villages.append(
            VillageDemand(
                village_id=vid,
                level=rng.randint(1, 3),
                need=need,
                locked=rng.choice([0, 0, 0, 1, 2]),
                latitude=-6.0 - rng.random() * 0.5 if rng.random() > 0.1 else None,
                longitude=106.0 + rng.random() * 0.5,
                sea_access_only=sea,
                boat_need=2 if sea else 0,
            )
        )
    villages = [
        v if v.latitude is not None else VillageDemand(**{**v.__dict__, "longitude": None}) for v in villages
    ]
    ids = [v.village_id for v in villages]
    groups = []
    next_officer = 100
    for unit in range(1, rng.randint(2, 5) + 1):
        capability = rng.choice(["", "", "", BOAT_CREW, BRIMOB])
        officers = tuple(range(next_officer, next_officer + rng.randint(0, 5)))
        next_officer += 10
        restricted = capability == "" and rng.random() < 0.5
        allowed = frozenset(rng.sample(ids, rng.randint(1, len(ids)))) if restricted else None
        homes = {o: rng.choice(ids) for o in officers if rng.random() < 0.2}
        binaan = {o: rng.choice(ids) for o in officers if capability == "" and rng.random() < 0.2}
        groups.append(
            SupplyGroup(
                unit_id=unit,
                officer_ids=officers,
                latitude=-6.0 - rng.random() * 0.5,
                longitude=106.0 + rng.random() * 0.5,
                allowed_village_ids=allowed,
                home_village_ids=homes,
                capability=capability,
                bko=capability == BOAT_CREW and rng.random() < 0.5,
                binaan_village_ids=binaan,
            )
        )
    reserve = rng.choice([0, 0, 1, 2, 3])
    # Patrols from a generator of their own, so the villages and groups of each seed stay as they were.
    prng = random.Random(rng.random())
    patrols = []
    if prng.random() < 0.6:
        for kecamatan in range(1, prng.randint(1, 2) + 1):
            locked = prng.choice([0, 0, 1])
            patrols.append(
                PatrolDemand(
                    kecamatan_id=kecamatan,
                    need=prng.choice([0, 1, 2, 2, 4]),
                    locked=locked,
                    latitude=-6.0 - prng.random() * 0.5,
                    longitude=106.0 + prng.random() * 0.5,
                )
            )
        groups = [
            replace(g, allowed_kecamatan_ids=frozenset(k for k in (1, 2) if prng.random() < 0.5))
            if g.allowed_village_ids is not None
            else g
            for g in groups
        ]
    return groups, villages, reserve, patrols


def assert_rules_feasible(groups, villages, result, patrols=()) -> None:
    placed = Counter(p.officer_id for p in result.placements)
    assert all(n == 1 for n in placed.values()), "an officer placed twice"
    assert not set(placed) & set(result.reserve_officer_ids)
    group_of = {o: g for g in groups for o in g.officer_ids}
    added = Counter(p.village_id for p in result.placements if p.role != ROLE_PATROL)
    on_patrol = Counter(p.kecamatan_id for p in result.placements if p.role == ROLE_PATROL)
    for p in result.placements:
        g = group_of[p.officer_id]
        if p.role == ROLE_PATROL:
            assert p.village_id is None
            assert g.allowed_village_ids is None or p.kecamatan_id in g.allowed_kecamatan_ids
            continue
        assert g.allowed_village_ids is None or p.village_id in g.allowed_village_ids
        assert g.home_village_ids.get(p.officer_id) != p.village_id, "neutrality broken"
        if p.role == ROLE_BOAT:
            assert g.capability == BOAT_CREW
    for o in result.reserve_officer_ids:
        assert group_of[o].capability == BRIMOB
    binaan = binaan_fixed([g for g in groups if g.officer_ids], villages)
    for o, v in binaan.items():
        assert next(p for p in result.placements if p.officer_id == o).village_id == v
    for v, outcome in zip(villages, result.villages, strict=True):
        assert outcome.added == added[v.village_id] <= v.need
        has_binaan = v.village_id in binaan.values()
        if v.locked == 0 and not has_binaan:
            assert outcome.added != 1, "lone officer"
    for patrol, outcome in zip(patrols, result.patrols, strict=True):
        assert outcome.kecamatan_id == patrol.kecamatan_id
        assert outcome.added == on_patrol[patrol.kecamatan_id] <= patrol.need
        assert outcome.shortfall == patrol.need - outcome.added
        if patrol.locked == 0:
            assert outcome.added != 1, "lone officer on patrol"
    assert result.patrol_unmet == sum(o.shortfall for o in result.patrols)


@pytest.mark.parametrize("seed", range(220))
def test_solver_with_rules_matches_independent_milp(seed):
    groups, villages, reserve, patrols = random_rules_case(random.Random(1000 + seed))

    result = allocate(groups=groups, villages=villages, reserve_need=reserve, patrols=patrols)

    assert result.optimal
    assert_rules_feasible(groups, villages, result, patrols)
    assert result.objective == rules_milp(groups, villages, reserve, patrols)


def test_patrols_take_only_officers_every_village_left_free():
    polres = SupplyGroup(unit_id=1, officer_ids=(1, 2, 3, 4, 5, 6), latitude=-6.0, longitude=106.0)
    aman = village(10, 1, 4, -6.3, 106.3)
    # The patrol's kecamatan is next door, the Aman village far: the village still comes first.
    patrol = PatrolDemand(kecamatan_id=7, need=4, latitude=-6.0, longitude=106.001)

    result = allocate(groups=[polres], villages=[aman], patrols=[patrol])

    assert result.villages[0].added == 4
    on_patrol = [p for p in result.placements if p.role == ROLE_PATROL]
    assert len(on_patrol) == 2 and {p.kecamatan_id for p in on_patrol} == {7}
    assert (result.patrols[0].added, result.patrols[0].shortfall, result.patrol_unmet) == (2, 2, 2)
    assert result.total_shortfall == 0  # the villages' shortfall; the patrols' is reported apart


def test_polsek_patrols_only_its_own_kecamatan_and_never_alone():
    polsek = SupplyGroup(
        unit_id=1,
        officer_ids=(1, 2, 3),
        latitude=-6.0,
        longitude=106.0,
        allowed_village_ids=frozenset({10}),
        allowed_kecamatan_ids=frozenset({7}),
    )
    own = PatrolDemand(kecamatan_id=7, need=2, latitude=-6.2, longitude=106.2)
    other = PatrolDemand(kecamatan_id=8, need=2, latitude=-6.0, longitude=106.001)
    lone = PatrolDemand(kecamatan_id=7, need=1)

    result = allocate(groups=[polsek], villages=[], patrols=[own, other])
    alone = allocate(groups=[polsek], villages=[], patrols=[lone])

    assert {p.kecamatan_id for p in result.placements} == {7}
    assert len(result.placements) == 2
    assert alone.placements == ()


def village(vid, level, need, lat, lon, **extra):
    return VillageDemand(village_id=vid, level=level, need=need, latitude=lat, longitude=lon, **extra)


def test_polairud_goes_to_the_island_before_any_land_village():
    # Sat Polairud sits next to a Sangat Rawan land village; the island is Aman and far away.
    polairud = SupplyGroup(
        unit_id=1, officer_ids=(1, 2, 3, 4), latitude=-6.0, longitude=106.0, capability=BOAT_CREW
    )
    land = SupplyGroup(unit_id=2, officer_ids=(5, 6, 7, 8), latitude=-6.3, longitude=106.3)
    renged = village(10, 3, 4, -6.0, 106.01)
    tunda = village(11, 1, 4, -5.8, 106.3, sea_access_only=True, boat_need=2)

    result = allocate(groups=[polairud, land], villages=[renged, tunda])

    boat = [p for p in result.placements if p.role == ROLE_BOAT]
    assert {p.officer_id for p in boat} <= {1, 2, 3, 4}
    assert len(boat) == 2 and {p.village_id for p in boat} == {11}
    assert result.boat_unmet == 0
    assert {v.village_id: v.boat_team for v in result.villages} == {10: 0, 11: 2}


def test_own_sat_polairud_before_a_bko_polairud():
    own = SupplyGroup(unit_id=1, officer_ids=(1, 2), latitude=-6.2, longitude=106.2, capability=BOAT_CREW)
    ditpolairud = SupplyGroup(
        unit_id=2, officer_ids=(3, 4), latitude=-5.9, longitude=106.29, capability=BOAT_CREW, bko=True
    )
    tunda = village(11, 2, 2, -5.8, 106.3, sea_access_only=True, boat_need=2)

    result = allocate(groups=[ditpolairud, own], villages=[tunda])

    assert {p.officer_id for p in result.placements if p.role == ROLE_BOAT} == {1, 2}


def test_brimob_kept_for_sangat_rawan_and_reserve_before_aman():
    brimob = SupplyGroup(
        unit_id=1, officer_ids=(1, 2, 3, 4, 5, 6), latitude=-6.0, longitude=106.0, capability=BRIMOB
    )
    aman_next_door = village(10, 1, 2, -6.0, 106.001)
    sangat_rawan_far = village(11, 3, 2, -6.4, 106.4)

    result = allocate(groups=[brimob], villages=[aman_next_door, sangat_rawan_far], reserve_need=4)

    added = {v.village_id: v.added for v in result.villages}
    assert added == {10: 0, 11: 2}
    assert len(result.reserve_officer_ids) == 4
    assert result.reserve_unmet == 0


def test_brimob_beyond_the_reserve_fills_aman():
    brimob = SupplyGroup(
        unit_id=1, officer_ids=(1, 2, 3, 4), latitude=-6.0, longitude=106.0, capability=BRIMOB
    )

    result = allocate(groups=[brimob], villages=[village(10, 1, 2, -6.0, 106.001)], reserve_need=2)

    assert result.villages[0].added == 2
    assert len(result.reserve_officer_ids) == 2


def test_escorts_are_pairs_named_to_the_flagged_candidates():
    groups = [SupplyGroup(unit_id=1, officer_ids=tuple(range(1, 11)), latitude=-6.0, longitude=106.0)]
    mekarsari = village(10, 3, 10, -6.1, 106.1, escorts=((501, 4), (502, 4)))

    result = allocate(groups=groups, villages=[mekarsari])

    escorts = Counter(p.candidate_id for p in result.placements if p.role == ROLE_ESCORT)
    assert escorts == {501: 4, 502: 4}
    guards = [p for p in result.placements if p.role not in (ROLE_ESCORT,)]
    assert len(guards) == 2


def test_short_village_keeps_a_pair_at_the_tps_and_escorts_in_whole_pairs():
    groups = [SupplyGroup(unit_id=1, officer_ids=tuple(range(1, 6)), latitude=-6.0, longitude=106.0)]
    mekarsari = village(10, 3, 10, -6.1, 106.1, escorts=((501, 4), (502, 4)))

    result = allocate(groups=groups, villages=[mekarsari])

    escorts = [p for p in result.placements if p.role == ROLE_ESCORT]
    assert len(escorts) == 2 and {p.candidate_id for p in escorts} == {501}
    assert len(result.placements) - len(escorts) >= MIN_TEAM


def test_bhabinkamtibmas_goes_to_his_desa_binaan():
    polsek = SupplyGroup(
        unit_id=1,
        officer_ids=(1, 2, 3),
        latitude=-6.0,
        longitude=106.0,
        binaan_village_ids={3: 11},
    )
    near = village(10, 2, 2, -6.0, 106.001)
    binaan = village(11, 2, 2, -6.3, 106.3)

    result = allocate(groups=[polsek], villages=[near, binaan])

    bhabin = next(p for p in result.placements if p.officer_id == 3)
    assert (bhabin.village_id, bhabin.role) == (11, ROLE_BINAAN)

"""Allocation proposals: compute an optimal deployment from the free officers, then apply or discard.

A proposal records what it was computed from (its ``basis``): the postings of its own stage and each
village's level and need. Applying it compares both with the current state under the operation's row
lock (every writer of postings and of ranking rows takes that lock first), so a proposal computed
before another was applied, or before a village was re-graded, is refused and names what changed.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.allocation.solver import (
    BOAT_CREW,
    BRIMOB,
    ROLE_BINAAN,
    ROLE_BOAT,
    ROLE_ESCORT,
    ROLE_PATROL,
    PatrolDemand,
    Placement,
    SupplyGroup,
    VillageDemand,
    allocate,
    sea_leg_km,
)
from operations.models import (
    AllocationProposal,
    Assignment,
    BkoContingent,
    Capability,
    Duty,
    Jurisdiction,
    Officer,
    Operation,
    PatternSet,
    Position,
    ProposalItem,
    Stage,
    Unit,
    VillageStanding,
)
from operations.proposal_basis import basis_changes, postings_basis, proposal_basis, villages_basis
from operations.services import events
from operations.services.assignments import PostingRequest, assignment_delete, assignments_create_many
from operations.services.setup import require_open
from villages.models import Candidate, VillageElection

STALE_CODE = "stale_proposal"
CLOSED_CODE = "proposal_closed"
UNPOSTABLE_CODE = "proposal_unpostable"
# The codes of a proposal that cannot be applied as it stands: the API answers them with a 409.
CONFLICT_CODES = frozenset({STALE_CODE, CLOSED_CODE, UNPOSTABLE_CODE})


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _read_villages(*, operation: Operation, stage: str) -> list[dict]:
    rows = (
        VillageStanding.objects.filter(operation=operation)
        .ranked()
        .values(
            "village_election_id",
            "level",
            "required_personnel",
            "kecamatan_id",
            "kecamatan_name",
            "village_election__desa_id",
            "desa_name",
            "village_election__desa__latitude",
            "village_election__desa__longitude",
            "village_election__desa__sea_access_only",
        )
    )
    locked = dict(
        Assignment.objects.for_stage(operation.pk, stage)
        .filter(village_election__isnull=False)
        .values("village_election_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village_election_id", "n")
    )
    villages = list(rows)
    crews = dict(
        Assignment.objects.for_stage(operation.pk, stage)
        .filter(duty=Duty.BOAT_TEAM)
        .values("village_election_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village_election_id", "n")
    )
    escorted = dict(
        Assignment.objects.for_stage(operation.pk, stage)
        .filter(duty=Duty.CLOSE_ESCORT, candidate__isnull=False)
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("candidate_id", "n")
    )
    escorts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for candidate_id, village_id in (
        # By election, not by a list of ids: 84,000 parameters cost the nation a second to bind.
        Candidate.objects.filter(village_election__election_id=operation.election_id, needs_close_escort=True)
        .exclude(status=Candidate.Status.REJECTED)
        .order_by("village_election_id", "ballot_number", "pk")
        .values_list("pk", "village_election_id")
    ):
        wanted = operation.escorts_per_candidate - escorted.get(candidate_id, 0)
        if wanted > 0:
            escorts[village_id].append((candidate_id, wanted))
    for row in villages:
        village_id = row["village_election_id"]
        row["locked"] = locked.get(village_id, 0)
        row["boat_need"] = (
            max(operation.boat_team_size - crews.get(village_id, 0), 0)
            if row["village_election__desa__sea_access_only"]
            else 0
        )
        row["escorts"] = tuple(escorts.get(village_id, ()))
    return villages


def _demand(village: dict, port: tuple[float | None, float | None] = (None, None)) -> VillageDemand:
    """A row of ``_read_villages`` as the solver takes it: what is still needed beyond the postings.

    ``port`` is the operation's sea port, where the trip to a village reached only by sea leaves.
    """
    return VillageDemand(
        port_latitude=port[0],
        port_longitude=port[1],
        village_id=village["village_election_id"],
        level=village["level"],
        need=max(village["required_personnel"] - village["locked"], 0),
        locked=village["locked"],
        latitude=_coordinate(village["village_election__desa__latitude"]),
        longitude=_coordinate(village["village_election__desa__longitude"]),
        sea_access_only=village["village_election__desa__sea_access_only"],
        boat_need=village.get("boat_need", 0),
        escorts=village.get("escorts", ()),
    )


def _read_groups(
    *, operation: Operation, stage: str, exclude_bko: bool, villages: list[dict]
) -> tuple[list[SupplyGroup], int, set[int]]:
    """The free officers by unit and capability, how many, and which of them stand in the reserve."""
    arrived = BkoContingent.objects.filter(operation=operation, status=BkoContingent.Status.ARRIVED)
    bko_rule = (
        Q(unit__supplies_bko=False)
        if exclude_bko
        else (Q(unit__supplies_bko=False) | Q(unit__in=arrived.values("unit_id")))
    )
    free = (
        Officer.objects.active()
        .filter(bko_rule)
        # Pimpinan, Kapolsek/Wakapolsek and posko staff (by position; Kompol and above without
        # one) command the operation: a proposal never posts them to a village. The Kabag Ops may
        # still assign one by hand, with a written reason.
        .for_village_duty()
        # The reserve is there to be drawn on: its officers are free for the next proposal too.
        .exclude(
            pk__in=Assignment.objects.for_stage(operation.pk, stage)
            .exclude(duty=Duty.RESERVE)
            .values("officer_id")
        )
        .annotate(
            in_reserve=Exists(
                Assignment.objects.for_stage(operation.pk, stage).filter(
                    duty=Duty.RESERVE, officer_id=OuterRef("pk")
                )
            )
        )
        .order_by("unit_id", "-rank", "nrp")
        .values_list(
            "pk", "unit_id", "home_desa_id", "desa_binaan_id", "jabatan__category", "unit__kind", "in_reserve"
        )
    )
    # What each officer can do that others cannot: his unit's kind or his own catalogue entries.
    by_kind = dict(Capability.objects.exclude(unit_kind="").values_list("unit_kind", "code"))
    own = defaultdict(set)
    for officer_id, code in Officer.capabilities.through.objects.filter(
        capability__code__in=(BOAT_CREW, BRIMOB)
    ).values_list("officer_id", "capability__code"):
        own[officer_id].add(code)
    by_unit: dict[tuple[int, str], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    in_reserve = set()
    for officer_id, unit_id, home_desa_id, binaan_id, category, unit_kind, reserve in free:
        if reserve:
            in_reserve.add(officer_id)
        codes = own.get(officer_id, set()) | {by_kind.get(unit_kind, "")}
        capability = BOAT_CREW if BOAT_CREW in codes else BRIMOB if BRIMOB in codes else ""
        binaan = binaan_id if category == Position.Category.BHABINKAMTIBMAS else None
        by_unit[unit_id, capability].append((officer_id, home_desa_id, binaan))

    unit_ids = {unit_id for unit_id, _capability in by_unit}
    units = {
        row[0]: row
        for row in Unit.objects.filter(pk__in=unit_ids).values_list(
            "pk", "kind", "hq_latitude", "hq_longitude", "supplies_bko"
        )
    }
    areas: dict[int, set[int]] = defaultdict(set)
    for unit_id, kecamatan_id in Jurisdiction.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "kecamatan_id"
    ):
        areas[unit_id].add(kecamatan_id)
    village_of_desa = {v["village_election__desa_id"]: v["village_election_id"] for v in villages}
    villages_of_kecamatan: dict[int, set[int]] = defaultdict(set)
    for v in villages:
        villages_of_kecamatan[v["kecamatan_id"]].add(v["village_election_id"])

    groups = []
    for (unit_id, capability), members in by_unit.items():
        _pk, kind, latitude, longitude, bko = units[unit_id]
        allowed = patrol_area = None
        if kind == Unit.Kind.POLSEK:
            allowed = frozenset().union(*(villages_of_kecamatan[k] for k in areas[unit_id]))
            patrol_area = frozenset(areas[unit_id])
        groups.append(
            SupplyGroup(
                unit_id=unit_id,
                officer_ids=tuple(officer_id for officer_id, _home, _binaan in members),
                latitude=_coordinate(latitude),
                longitude=_coordinate(longitude),
                allowed_village_ids=allowed,
                home_village_ids={
                    officer_id: village_of_desa[home]
                    for officer_id, home, _binaan in members
                    if home in village_of_desa
                },
                capability=capability,
                bko=bko,
                binaan_village_ids={
                    officer_id: village_of_desa[binaan]
                    for officer_id, _home, binaan in members
                    if binaan in village_of_desa
                },
                allowed_kecamatan_ids=patrol_area,
            )
        )
    return groups, sum(len(members) for members in by_unit.values()), in_reserve


# The officers a proposal leaves free stay in the reserve at their unit (Mako or Polsek).
ROLE_RESERVE = "reserve"

_DUTY_OF_ROLE = {
    ROLE_BOAT: Duty.BOAT_TEAM.value,
    ROLE_ESCORT: Duty.CLOSE_ESCORT.value,
    ROLE_PATROL: Duty.PATROL.value,
    ROLE_RESERVE: Duty.RESERVE.value,
}


def _read_patrols(*, operation: Operation, stage: str) -> list[dict]:
    """The patrol each kecamatan holding a Pilkades still wants, when the pattern set asks for one.

    Patrols already posted in the stage count; the patrol leaves from the kecamatan's centre (or,
    without one, the centre of its villages). Grouped in the database: the nation has 7,000
    kecamatan and 84,000 villages, too many for a list of ids or a loop in Python.
    """
    per_kecamatan = (
        PatternSet.objects.filter(pk=operation.pattern_set_id)
        .values_list("patrol_per_kecamatan", flat=True)
        .first()
    )
    if not per_kecamatan:
        return []
    posted = dict(
        Assignment.objects.for_stage(operation.pk, stage)
        .filter(duty=Duty.PATROL)
        .values("kecamatan_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kecamatan_id", "n")
    )
    rows = (
        VillageStanding.objects.filter(operation=operation)
        .values("kecamatan_id")
        .annotate(
            name=Max("kecamatan__name"),
            latitude=Max("kecamatan__latitude"),
            longitude=Max("kecamatan__longitude"),
            villages_latitude=Avg("village_election__desa__latitude"),
            villages_longitude=Avg("village_election__desa__longitude"),
        )
        .order_by("name", "kecamatan_id")
        .values_list(
            "kecamatan_id", "name", "latitude", "longitude", "villages_latitude", "villages_longitude"
        )
    )
    patrols = []
    for pk, name, latitude, longitude, villages_latitude, villages_longitude in rows:
        if latitude is None:
            latitude, longitude = villages_latitude, villages_longitude
        locked = posted.get(pk, 0)
        patrols.append(
            {
                "kecamatan_id": pk,
                "kecamatan": name,
                "wanted": per_kecamatan,
                "demand": PatrolDemand(
                    kecamatan_id=pk,
                    need=max(per_kecamatan - locked, 0),
                    locked=locked,
                    latitude=_coordinate(latitude),
                    longitude=_coordinate(longitude),
                ),
            }
        )
    return patrols


def placement_reason(*, placement, village: dict, capability: str) -> dict:
    """Why this officer here, as data the API and the proposal page show: the village's priority,
    the travel, the capability that decided it, the desa binaan."""
    return {
        "level": village["level"],
        "rank": village["rank"],
        "km": None if placement.distance_m is None else round(placement.distance_m / 1000, 1),
        "role": placement.role,
        "capability": capability,
        "desa_binaan": placement.role == ROLE_BINAAN,
    }


def patrol_reason(*, placement, capability: str) -> dict:
    """Why this officer on patrol: every village's need is met or out of his reach."""
    km = None if placement.distance_m is None else round(placement.distance_m / 1000, 1)
    return {"km": km, "role": ROLE_PATROL, "capability": capability}


def reserve_reason(*, reaction: bool, capability: str) -> dict:
    """Why this officer stays at his unit: the reaction reserve (Brimob), or no village nor patrol
    of the plan could use him."""
    return {"role": ROLE_RESERVE, "reaction": reaction, "capability": capability}


def _store_items(*, proposal: AllocationProposal, placements, reasons: list[dict]) -> None:
    """One row per placement, written from plain values in one statement.

    Through bulk_create the model instances cost two thirds of a kabupaten's whole proposal (716
    items: ~60 of ~90 ms), and a multi-row INSERT with 4,000 parameters costs psycopg ~35 ms to
    parse; PostgreSQL takes the columns as arrays, SQLite the rows through executemany.
    The table's constraints check the rows as they would any insert.
    """
    meta = ProposalItem._meta
    quote = connection.ops.quote_name
    names = (
        "proposal",
        "officer",
        "village_election",
        "duty",
        "candidate",
        "kecamatan",
        "distance_km",
        "reason",
    )
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    cent = Decimal("0.01")
    officers = [p.officer_id for p in placements]
    villages = [p.village_id for p in placements]
    duties = [_DUTY_OF_ROLE.get(p.role, Duty.VILLAGE_GUARD.value) for p in placements]
    candidates = [p.candidate_id for p in placements]
    kecamatan = [p.kecamatan_id for p in placements]
    distances = [
        None if p.distance_m is None else (Decimal(p.distance_m) / 1000).quantize(cent) for p in placements
    ]
    texts = [json.dumps(reason) for reason in reasons]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT %s, o, v, u, c, k, d, r::jsonb"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::bigint[], %s::bigint[],"
                " %s::numeric[], %s::text[]) AS t(o, v, u, c, k, d, r)",
                [proposal.pk, officers, villages, duties, candidates, kecamatan, distances, texts],
            )
        else:
            columns_of_rows = (officers, villages, duties, candidates, kecamatan, distances, texts)
            cursor.executemany(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(proposal.pk, *row) for row in zip(*columns_of_rows, strict=True)],
            )


def travel_summary(
    *, operation: Operation, groups: list[SupplyGroup], villages: list[dict], demands: list[VillageDemand]
) -> dict:
    """What the proposal says about geography: per village whether its travel is known and its sea
    leg, and which villages, units and port lack the coordinates a distance needs."""
    sea_legs = sea_leg_km(demands)
    no_port = not operation.sea_port_name or operation.sea_port_latitude is None
    by_village = {}
    for v, demand, sea_km in zip(villages, demands, sea_legs, strict=True):
        centroid = demand.latitude is not None
        sea = demand.sea_access_only
        by_village[v["village_election_id"]] = {
            "has_centroid": centroid,
            "sea_leg_km": round(float(sea_km), 1) if sea and centroid and not no_port else None,
            "sea_port": operation.sea_port_name if sea else "",
        }
    units_without = [g.unit_id for g in groups if g.latitude is None]
    return {
        "by_village": by_village,
        "missing": {
            "villages": sorted(
                v["desa_name"] for v, d in zip(villages, demands, strict=True) if d.latitude is None
            ),
            "units": sorted(Unit.objects.filter(pk__in=units_without).values_list("name", flat=True)),
            "sea_port": no_port and any(d.sea_access_only for d in demands),
        },
    }


@transaction.atomic
def proposal_create(
    *,
    operation: Operation,
    stage: str = Stage.VOTING,
    by: AbstractBaseUser,
    exclude_bko: bool = False,
) -> AllocationProposal:
    """Propose postings for the free officers: riskiest villages first, then the shortest travel."""
    # A closed operation's postings never change again (apply checks the locked row once more).
    require_open(operation)
    started = time.perf_counter()
    # Read before the villages and officers: a posting written in between makes the proposal
    # stale (refused on apply), never silently applied over.
    postings = postings_basis(operation=operation, stage=stage)
    villages = _read_villages(operation=operation, stage=stage)
    groups, free_count, in_reserve = _read_groups(
        operation=operation, stage=stage, exclude_bko=exclude_bko, villages=villages
    )
    read_seconds = time.perf_counter() - started

    patrols = _read_patrols(operation=operation, stage=stage)
    port = (_coordinate(operation.sea_port_latitude), _coordinate(operation.sea_port_longitude))
    demands = [_demand(v, port) for v in villages]
    result = allocate(
        groups=groups,
        villages=demands,
        reserve_need=operation.reaction_reserve,
        patrols=[p["demand"] for p in patrols],
    )
    geography = travel_summary(operation=operation, groups=groups, villages=villages, demands=demands)
    # The boat team is named by its unit: the Polairud unit actually sending it, never a guess.
    unit_names = dict(
        Unit.objects.filter(pk__in={p.unit_id for p in result.placements}).values_list("pk", "name")
    )
    boat_units: dict[int, set[str]] = defaultdict(set)
    for p in result.placements:
        if p.role == ROLE_BOAT:
            boat_units[p.village_id].add(unit_names[p.unit_id])
    by_id = {v["village_election_id"]: v for v in villages}
    for rank, v in enumerate(villages, start=1):
        v["rank"] = rank
    capability_of = {o: g.capability for g in groups for o in g.officer_ids}
    reasons = [
        patrol_reason(placement=p, capability=capability_of.get(p.officer_id, ""))
        if p.role == ROLE_PATROL
        else placement_reason(
            placement=p, village=by_id[p.village_id], capability=capability_of.get(p.officer_id, "")
        )
        for p in result.placements
    ]
    # Every free officer the plan does not send out stays in the reserve at his unit, posted as such.
    # Those already posted to the reserve stay there as they are.
    reaction = set(result.reserve_officer_ids)
    placed = {p.officer_id for p in result.placements} | in_reserve
    reserve = [
        Placement(officer_id=o, unit_id=g.unit_id, village_id=None, distance_m=None, role=ROLE_RESERVE)
        for g in groups
        for o in g.officer_ids
        if o not in placed
    ]
    reasons += [
        reserve_reason(reaction=p.officer_id in reaction, capability=capability_of.get(p.officer_id, ""))
        for p in reserve
    ]
    patrol_rows = [
        {
            "kecamatan_id": p["kecamatan_id"],
            "kecamatan": p["kecamatan"],
            "need": p["wanted"],
            "existing": outcome.locked,
            "added": outcome.added,
            "shortfall": outcome.shortfall,
        }
        for p, outcome in zip(patrols, result.patrols, strict=True)
    ]

    summary_villages = [
        {
            "village_election_id": v["village_election_id"],
            "desa": v["desa_name"],
            "kecamatan": v["kecamatan_name"],
            "level": v["level"],
            "required": v["required_personnel"],
            "existing": outcome.locked,
            "added": outcome.added,
            "shortfall": outcome.shortfall,
            "sea_access_only": outcome.sea_access_only,
            "boat_need": outcome.boat_need,
            "boat_team": outcome.boat_team,
            "polairud": ", ".join(sorted(boat_units.get(v["village_election_id"], ())))
            if outcome.sea_access_only
            else "",
            "escorts": [list(pair) for pair in v.get("escorts", ())],
            **geography["by_village"][v["village_election_id"]],
        }
        for v, outcome in zip(villages, result.villages, strict=True)
        if outcome.need or outcome.added or outcome.locked
    ]
    proposal = AllocationProposal.objects.create(
        operation=operation,
        stage=stage,
        based_on_version=operation.assignment_version,
        basis={
            "postings": postings,
            "villages": villages_basis(
                (v["village_election_id"], v["level"], v["required_personnel"]) for v in villages
            ),
        },
        created_by=by,
        total_distance_km=Decimal(result.total_distance_m) / 1000,
        total_shortfall=result.total_shortfall,
        summary={
            "villages": summary_villages,
            "shortfall_by_level": {str(level): n for level, n in result.unmet_by_level.items()},
            "free_officers": free_count,
            "proposed_officers": len(result.placements),
            "exclude_bko": exclude_bko,
            "optimal": result.optimal,
            "boat_unmet": result.boat_unmet,
            "reserve": {
                "wanted": operation.reaction_reserve,
                "officer_ids": list(result.reserve_officer_ids),
                "unmet": result.reserve_unmet,
                "officers": len(reserve),
            },
            "patrols": patrol_rows,
            "patrol_shortfall": result.patrol_unmet,
            "missing_coordinates": geography["missing"],
            "unknown_distances": sum(p.distance_m is None for p in result.placements),
            "timing_ms": {
                "read": round(read_seconds * 1000, 2),
                "build": round(result.build_seconds * 1000, 2),
                "solve": round(result.solve_seconds * 1000, 2),
            },
        },
    )
    _store_items(proposal=proposal, placements=[*result.placements, *reserve], reasons=reasons)
    return proposal


def _leave_the_reserve(*, operation: Operation, stage: str, officer_ids: set[int], by) -> None:
    """Officers a proposal sends out of the reserve give up their reserve posting first (with history),
    so each stays posted once."""
    for posting in Assignment.objects.for_stage(operation.pk, stage).filter(
        duty=Duty.RESERVE, officer_id__in=officer_ids
    ):
        assignment_delete(assignment=posting, by=by)


def _lock_open(proposal: AllocationProposal) -> tuple[AllocationProposal, Operation]:
    operation = Operation.objects.select_for_update().get(pk=proposal.operation_id)
    require_open(operation)
    proposal = AllocationProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != AllocationProposal.Status.OPEN:
        raise ValidationError(
            _("Usulan ini sudah %(status)s.") % {"status": proposal.get_status_display().lower()},
            code=CLOSED_CODE,
        )
    return proposal, operation


NAMED_VILLAGES = 5


def _changes_since(*, proposal: AllocationProposal, operation: Operation) -> list[str]:
    """What changed since the proposal was computed, one message per kind; empty if nothing did."""
    changed = basis_changes(
        proposal=proposal, current=proposal_basis(operation=operation, stage=proposal.stage)
    )
    if changed.missing:
        return [_("Usulan usang: dibuat sebelum dasar perhitungannya dicatat. Buat usulan baru.")]
    changes = []
    if changed.postings:
        changes.append(
            _("Usulan usang: penugasan tahap %(stage)s berubah sejak usulan dibuat. Buat usulan baru.")
            % {"stage": proposal.get_stage_display()}
        )
    changed_ids = changed.village_ids
    if changed_ids:
        names = list(
            VillageElection.objects.filter(pk__in=changed_ids)
            .order_by("desa__name")
            .values_list("desa__name", flat=True)[:NAMED_VILLAGES]
        )
        villages = ", ".join(names)
        if len(changed_ids) > len(names):
            villages = _("%(names)s dan %(more)s desa lain") % {
                "names": villages,
                "more": len(changed_ids) - len(names),
            }
        changes.append(
            _(
                "Usulan usang: tingkat/kebutuhan Desa %(villages)s berubah sejak usulan dibuat. "
                "Buat usulan baru."
            )
            % {"villages": villages}
        )
    return changes


@transaction.atomic
def proposal_apply(*, proposal: AllocationProposal, by: AbstractBaseUser) -> list[Assignment]:
    """Post every officer of the proposal in one step, or nothing if the deployment changed since."""
    proposal, operation = _lock_open(proposal)
    changes = _changes_since(proposal=proposal, operation=operation)
    if changes:
        raise ValidationError([ValidationError(message, code=STALE_CODE) for message in changes])
    columns = ("officer_id", "village_election_id", "duty", "candidate_id", "kecamatan_id")
    items = list(proposal.items.values_list(*columns))
    _leave_the_reserve(
        operation=operation,
        stage=proposal.stage,
        officer_ids={item[0] for item in items if item[2] != Duty.RESERVE},
        by=by,
    )
    try:
        assignments = assignments_create_many(
            operation=operation,
            stage=proposal.stage,
            postings=[
                PostingRequest(
                    officer_id=officer_id,
                    village_election_id=village_election_id,
                    duty=duty,
                    candidate_id=candidate_id,
                    kecamatan_id=kecamatan_id,
                    note=_("Dari usulan alokasi #%(pk)s") % {"pk": proposal.pk},
                )
                for officer_id, village_election_id, duty, candidate_id, kecamatan_id in items
            ],
            by=by,
        )
    except ValidationError as exc:
        # An officer named in the proposal became unpostable since (left, moved home, BKO sent
        # back): one coded error per officer, so every edge can tell this conflict from bad input.
        raise ValidationError([ValidationError(m, code=UNPOSTABLE_CODE) for m in exc.messages]) from exc
    proposal.status = AllocationProposal.Status.APPLIED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    events.proposal_applied_event(proposal, assignments)
    return assignments


@transaction.atomic
def proposal_discard(*, proposal: AllocationProposal, by: AbstractBaseUser) -> AllocationProposal:
    proposal, _operation = _lock_open(proposal)
    proposal.status = AllocationProposal.Status.DISCARDED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    return proposal

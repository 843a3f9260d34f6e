"""The deployment order (lampiran Sprin) as data: who commands, who goes where, who stays in reserve.

Read once for the whole order (or one Polsek's extract) and rendered by operations/exports.py into
PDF, XLSX and CSV, so the three files and the board agree. Every active officer the order concerns
appears exactly once: in the command line, as area controller, in a village team, on patrol, at the
posko or in the reserve.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from operations import positions
from operations.models import Assignment, Duty, Jurisdiction, Officer, Operation, Stage, Unit
from operations.selectors.deployment import VillageTeam, deployment_board, free_officers


@dataclass
class KecamatanPlan:
    kecamatan_id: int
    name: str
    polsek: Unit | None
    controllers: list[Officer]  # Kapolsek (then Wakapolsek): pengendali of the Polsek's villages
    teams: list[VillageTeam]
    patrols: list[Assignment]
    patrol_need: int


@dataclass
class ReserveGroup:
    place: str  # "Mako Polres Serang", "Polsek Carenang"
    members: list[tuple[Officer, Assignment | None]]


@dataclass
class UnitTotal:
    unit: str
    village: int = 0
    escort: int = 0
    boat: int = 0
    patrol: int = 0
    reserve: int = 0

    @property
    def total(self) -> int:
        return self.village + self.escort + self.boat + self.patrol + self.reserve


@dataclass
class OrderPlan:
    operation: Operation
    polsek: Unit | None
    command_line: list[Officer]
    posko: list[Officer]
    kecamatan: list[KecamatanPlan]
    reserve: list[ReserveGroup]
    signatory_unit: str
    totals: list[UnitTotal] = field(default_factory=list)

    @property
    def teams(self) -> list[VillageTeam]:
        return [team for k in self.kecamatan for team in k.teams]


def _risk_order(team: VillageTeam) -> tuple:
    s = team.standing
    return (-s.level, -s.score, -s.registered_voters, s.desa_code)


def _commanders(category: str, unit_filter: Q) -> list[Officer]:
    return list(
        Officer.objects.active()
        .filter(unit_filter, jabatan__category=category)
        .select_related("unit", "jabatan")
        .order_by("jabatan__command_order", "-rank", "nrp")
    )


def order_plan(*, operation: Operation, polsek: Unit | None = None, stage: str = Stage.VOTING) -> OrderPlan:
    """The whole order, or with ``polsek`` the extract of that Polsek's area and officers."""
    board = deployment_board(operation=operation, stage=stage)
    teams = board.teams
    if polsek is not None:
        teams = [t for t in teams if t.standing.polsek_id == polsek.pk]

    signatory = (
        Officer.objects.filter(nrp=operation.signatory_nrp).select_related("unit").first()
        if operation.signatory_nrp
        else None
    )
    # The Polres's own pimpinan (Kapolres to the Kasat of its satuan), never a BKO unit's.
    command_line = _commanders(
        positions.PIMPINAN, Q(unit__supplies_bko=False) & ~Q(unit__kind=Unit.Kind.POLSEK)
    )
    posko = [] if polsek is not None else _commanders(positions.STAFF, Q())
    posted = {m.officer_id for t in board.teams for m in t.members} | {m.officer_id for m in board.elsewhere}
    posko = [o for o in posko if o.pk not in posted]

    controllers: dict[int, list[Officer]] = defaultdict(list)
    for officer in _commanders(positions.KAPOLSEK, Q(unit__kind=Unit.Kind.POLSEK)):
        if officer.pk not in posted:
            controllers[officer.unit_id].append(officer)

    patrols_by_kecamatan: dict[int, list[Assignment]] = defaultdict(list)
    reserve_postings: list[Assignment] = []
    for member in board.elsewhere:
        if member.duty == Duty.PATROL and member.kecamatan_id is not None:
            patrols_by_kecamatan[member.kecamatan_id].append(member)
        else:
            reserve_postings.append(member)

    by_kecamatan: dict[int, list[VillageTeam]] = defaultdict(list)
    for team in teams:
        by_kecamatan[team.standing.kecamatan_id].append(team)
    patrol_need = operation.pattern_set.patrol_per_kecamatan
    sections = []
    for kecamatan_id, kteams in by_kecamatan.items():
        standing = kteams[0].standing
        unit = standing.polsek
        sections.append(
            KecamatanPlan(
                kecamatan_id=kecamatan_id,
                name=standing.kecamatan.name,
                polsek=unit,
                controllers=controllers.get(unit.pk, [])[:2] if unit is not None else [],
                teams=sorted(kteams, key=_risk_order),
                patrols=patrols_by_kecamatan.get(kecamatan_id, []),
                patrol_need=patrol_need,
            )
        )
    # Patrols in a kecamatan without a Pilkades village in the plan are listed all the same.
    leftover = set(patrols_by_kecamatan) - set(by_kecamatan)
    polsek_of = dict(
        Jurisdiction.objects.filter(kecamatan_id__in=leftover)
        .select_related("unit")
        .values_list("kecamatan_id", "unit_id")
    )
    units = Unit.objects.in_bulk(set(polsek_of.values()))
    for kecamatan_id in leftover:
        unit = units.get(polsek_of.get(kecamatan_id))
        if polsek is not None and unit != polsek:
            continue
        sections.append(
            KecamatanPlan(
                kecamatan_id=kecamatan_id,
                name=patrols_by_kecamatan[kecamatan_id][0].kecamatan.name,
                polsek=unit,
                controllers=controllers.get(unit.pk, [])[:2] if unit is not None else [],
                teams=[],
                patrols=patrols_by_kecamatan[kecamatan_id],
                patrol_need=patrol_need,
            )
        )
    sections.sort(key=lambda k: k.name)

    # The reserve: officers posted as reserve, and every officer the plan left free, at his unit.
    free = free_officers(operation=operation, stage=stage)
    if polsek is not None:
        free = free.filter(unit=polsek)
        reserve_postings = [m for m in reserve_postings if m.officer.unit_id == polsek.pk]
    groups: dict[str, list[tuple[Officer, Assignment | None]]] = defaultdict(list)

    def place(unit: Unit) -> str:
        return unit.name if unit.kind == Unit.Kind.POLSEK else f"Mako {unit.name}"

    for member in reserve_postings:
        groups[place(member.officer.unit)].append((member.officer, member))
    for officer in free:
        groups[place(officer.unit)].append((officer, None))
    reserve = [ReserveGroup(place=name, members=members) for name, members in sorted(groups.items())]

    plan = OrderPlan(
        operation=operation,
        polsek=polsek,
        command_line=command_line,
        posko=posko,
        kecamatan=sections,
        reserve=reserve,
        signatory_unit=signatory.unit.name if signatory is not None else "",
    )
    plan.totals = unit_totals(plan)
    return plan


_DUTY_COLUMN = {
    Duty.VILLAGE_GUARD: "village",
    Duty.BALLOT_ESCORT: "village",
    Duty.CLOSE_ESCORT: "escort",
    Duty.BOAT_TEAM: "boat",
    Duty.PATROL: "patrol",
    Duty.RESERVE: "reserve",
}


def unit_totals(plan: OrderPlan) -> list[UnitTotal]:
    """Officers per unit and duty in the plan (free officers count as reserve)."""
    totals: dict[str, UnitTotal] = {}

    def add(unit: str, column: str) -> None:
        row = totals.setdefault(unit, UnitTotal(unit=unit))
        setattr(row, column, getattr(row, column) + 1)

    for section in plan.kecamatan:
        for team in section.teams:
            for member in team.members:
                add(member.officer.unit.name, _DUTY_COLUMN[member.duty])
        for member in section.patrols:
            add(member.officer.unit.name, "patrol")
    for group in plan.reserve:
        for officer, _posting in group.members:
            add(officer.unit.name, "reserve")
    return sorted(totals.values(), key=lambda t: t.unit)


def order_polsek(*, value: str | None) -> Unit | None:
    """The Polsek named by an order's ``?polsek=<unit id>``, or None for the whole order."""
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({"polsek": [_("Polsek harus berupa id satuan (angka).")]}, code="invalid")
    unit = Unit.objects.filter(pk=int(value), kind=Unit.Kind.POLSEK).first()
    if unit is None:
        raise ValidationError({"polsek": [_("Polsek dengan id ini tidak ada.")]}, code="invalid")
    return unit

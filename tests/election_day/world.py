"""Shared arrangement for the election-day tests: one operation, a Polsek area with two villages,
a village of another Polsek, officers posted with logins, the voting stage running."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from election_day.models import IncidentCategory, StageWindow
from operations.models import Assignment, Duty, Operation, PatternSet, Unit
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.assignments import assignment_create
from operations.services.standings import standings_refresh
from tests.factories import (
    DesaFactory,
    ElectionFactory,
    JurisdictionFactory,
    OfficerFactory,
    OperationFactory,
    UnitFactory,
    UserFactory,
    VillageElectionFactory,
)
from villages.models import VillageElection

PER_DESA = "Polres Serang Pilkades 2021 (per desa)"


@dataclass
class HariH:
    operation: Operation
    polsek: Unit
    own: list[VillageElection]
    foreign: VillageElection
    kabag: object
    kabag2: object
    pimpinan: object
    polsek_user: object
    leader_user: object  # posted to own[0], the most senior of its team
    member_user: object  # posted to own[0] too
    outsider_user: object  # posted to own[1]
    leader: Assignment
    member: Assignment
    outsider: Assignment
    category: IncidentCategory


def _officer_user(unit, rank):
    user = UserFactory(role=None)
    officer = OfficerFactory(unit=unit, user=user, rank=rank)
    return user, officer


def build(make_user, *, stage_started_minutes_ago: int = 60) -> HariH:
    area = JurisdictionFactory(unit__hq_latitude=Decimal("-6.10"), unit__hq_longitude=Decimal("106.30"))
    other = JurisdictionFactory()
    election = ElectionFactory()
    operation = OperationFactory(
        election=election, pattern_set=PatternSet.objects.get(name=PER_DESA), status=Operation.Status.ACTIVE
    )
    own = [
        VillageElectionFactory(
            election=election,
            desa=DesaFactory(
                kecamatan=area.kecamatan,
                latitude=Decimal("-6.10") - Decimal("0.05") * i,
                longitude=Decimal("106.30"),
            ),
        )
        for i in range(2)
    ]
    foreign = VillageElectionFactory(election=election, desa=DesaFactory(kecamatan=other.kecamatan))
    standings_refresh(operation=operation)
    kabag = make_user(KABAG_OPS)
    leader_user, leader_officer = _officer_user(area.unit, Pangkat.AIPTU)
    member_user, member_officer = _officer_user(area.unit, Pangkat.BRIPDA)
    outsider_user, outsider_officer = _officer_user(area.unit, Pangkat.BRIPDA)

    def post(officer, village):
        return assignment_create(
            operation=operation, officer=officer, duty=Duty.VILLAGE_GUARD, village_election=village, by=kabag
        )

    world = HariH(
        operation=operation,
        polsek=area.unit,
        own=own,
        foreign=foreign,
        kabag=kabag,
        kabag2=make_user(KABAG_OPS),
        pimpinan=make_user(PIMPINAN),
        polsek_user=make_user(POLSEK, unit=area.unit),
        leader_user=leader_user,
        member_user=member_user,
        outsider_user=outsider_user,
        leader=post(leader_officer, own[0]),
        member=post(member_officer, own[0]),
        outsider=post(outsider_officer, own[1]),
        category=IncidentCategory.objects.get(code="keributan"),
    )
    StageWindow.objects.create(
        operation=operation,
        stage="voting",
        starts_at=timezone.now() - timedelta(minutes=stage_started_minutes_ago),
    )
    return world


def polres_unit():
    return UnitFactory(kind=Unit.Kind.POLRES)

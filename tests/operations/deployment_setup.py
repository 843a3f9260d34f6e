"""Shared arrangement for the deployment tests: two Polsek areas, Polres HQ, a Brimob BKO, users."""

from dataclasses import dataclass
from decimal import Decimal

from operations.models import BkoContingent, Officer, Operation, PatternSet, Unit
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.standings import standings_refresh
from tests.factories import (
    BkoContingentFactory,
    DesaFactory,
    ElectionFactory,
    JurisdictionFactory,
    OfficerFactory,
    OperationFactory,
    UnitFactory,
    VillageElectionFactory,
)
from villages.models import VillageElection

PER_DESA = "Polres Serang Pilkades 2021 (per desa)"


@dataclass
class DeploymentWorld:
    operation: Operation
    polsek: Unit
    other_polsek: Unit
    polres: Unit
    brimob: Unit
    contingent: BkoContingent
    own: list[VillageElection]
    foreign: VillageElection
    kabag: object
    pimpinan: object
    polsek_user: object


def build_world(make_user, own_villages: int = 2, bko_status=BkoContingent.Status.ARRIVED) -> DeploymentWorld:
    jurisdiction = JurisdictionFactory(
        unit__hq_latitude=Decimal("-6.10"), unit__hq_longitude=Decimal("106.30")
    )
    other = JurisdictionFactory(unit__hq_latitude=Decimal("-6.30"), unit__hq_longitude=Decimal("106.10"))
    election = ElectionFactory()
    operation = OperationFactory(election=election, pattern_set=PatternSet.objects.get(name=PER_DESA))
    own = [
        VillageElectionFactory(
            election=election,
            desa=DesaFactory(
                kecamatan=jurisdiction.kecamatan,
                latitude=Decimal("-6.10") - Decimal("0.01") * i,
                longitude=Decimal("106.30"),
            ),
        )
        for i in range(own_villages)
    ]
    foreign = VillageElectionFactory(
        election=election,
        desa=DesaFactory(kecamatan=other.kecamatan, latitude=Decimal("-6.30"), longitude=Decimal("106.11")),
    )
    polres = UnitFactory(kind=Unit.Kind.POLRES, hq_latitude=Decimal("-6.12"), hq_longitude=Decimal("106.15"))
    brimob = UnitFactory(kind=Unit.Kind.BRIMOB, supplies_bko=True)
    contingent = BkoContingentFactory(operation=operation, unit=brimob, status=bko_status)
    standings_refresh(operation=operation)
    users = {
        "kabag": make_user(KABAG_OPS),
        "pimpinan": make_user(PIMPINAN),
        "polsek_user": make_user(POLSEK, unit=jurisdiction.unit),
    }
    # The desk users' own officer records stay out of the pools the tests count.
    Officer.objects.filter(user__isnull=False).update(is_active=False)
    return DeploymentWorld(
        operation=operation,
        polsek=jurisdiction.unit,
        other_polsek=other.unit,
        polres=polres,
        brimob=brimob,
        contingent=contingent,
        own=own,
        foreign=foreign,
        **users,
    )


def officers(unit: Unit, count: int, rank: int = Pangkat.BRIPKA, **fields) -> list:
    return [OfficerFactory(unit=unit, rank=rank, **fields) for _ in range(count)]

from decimal import Decimal as D

import pytest
from django.utils import timezone

from operations.models import (
    Assignment,
    Duty,
    PatternSet,
    RiskLevel,
    SecurityPattern,
    Stage,
    VillageRisk,
    VillageStanding,
)
from operations.services.standings import (
    standings_refresh,
    standings_refresh_assigned,
    standings_refresh_for_pattern_set,
)
from tests.factories import (
    CandidateFactory,
    DesaFactory,
    ElectionFactory,
    JurisdictionFactory,
    OfficerFactory,
    OperationFactory,
    UserFactory,
    VillageElectionFactory,
)

pytestmark = pytest.mark.django_db

PER_DESA = "Polres Serang Pilkades 2021 (per desa)"
PER_TPS = "Pilkada 2020 nasional (per kelompok TPS)"


@pytest.fixture
def setup():
    jurisdiction = JurisdictionFactory()
    election = ElectionFactory()
    operation = OperationFactory(election=election, pattern_set=PatternSet.objects.get(name=PER_DESA))
    villages = [
        VillageElectionFactory(
            election=election, desa=DesaFactory(kecamatan=jurisdiction.kecamatan), tps_count=tps
        )
        for tps in (3, 5, 7)
    ]
    return operation, villages, jurisdiction


def _standing(operation, village):
    return VillageStanding.objects.get(operation=operation, village_election=village)


def test_refresh_creates_a_row_per_village_with_unassessed_level_and_denormalised_fields(setup):
    operation, villages, jurisdiction = setup
    VillageElectionFactory()  # another election: not part of this operation

    standings_refresh(operation=operation)

    assert VillageStanding.objects.filter(operation=operation).count() == 3
    row = _standing(operation, villages[0])
    assert row.level == RiskLevel.RAWAN
    assert row.computed_level is None
    assert row.score == 0
    assert (row.kecamatan_id, row.polsek_id) == (jurisdiction.kecamatan_id, jurisdiction.unit_id)
    assert row.desa_code == villages[0].desa.code
    assert (row.tps_count, row.registered_voters) == (3, villages[0].registered_voters)
    assert (row.required_personnel, row.required_linmas, row.shortfall) == (8, 2, 8)


def test_override_beats_computed_level_and_escorts_add_to_need(setup):
    operation, villages, _ = setup
    now = timezone.now()
    VillageRisk.objects.create(
        village_election=villages[0], score=D("62.5"), computed_level=3, last_report_at=now
    )
    VillageRisk.objects.create(
        village_election=villages[1],
        score=D("30"),
        computed_level=2,
        override_level=1,
        override_reason="Sudah damai",
        override_by=UserFactory(),
        override_at=now,
    )
    CandidateFactory(village_election=villages[0], needs_close_escort=True)
    CandidateFactory(village_election=villages[0], needs_close_escort=True, status="rejected")
    CandidateFactory(village_election=villages[0], needs_close_escort=False)

    standings_refresh(operation=operation)

    first = _standing(operation, villages[0])
    assert (first.level, first.computed_level, first.is_overridden) == (3, 3, False)
    assert first.score == D("62.50")
    assert first.escorted_candidates == 1
    assert first.required_personnel == 10 + 4
    assert first.last_report_at == now
    second = _standing(operation, villages[1])
    assert (second.level, second.computed_level, second.is_overridden) == (1, 2, True)
    assert second.required_personnel == 6


def test_refresh_updates_existing_rows_in_place_and_only_those_asked(setup):
    operation, villages, _ = setup
    standings_refresh(operation=operation)
    pks = set(VillageStanding.objects.values_list("pk", flat=True))
    VillageRisk.objects.create(village_election=villages[0], score=D("80"), computed_level=3)
    VillageRisk.objects.create(village_election=villages[1], score=D("80"), computed_level=3)

    standings_refresh(operation=operation, village_election_ids=[villages[0].pk])

    assert set(VillageStanding.objects.values_list("pk", flat=True)) == pks
    assert _standing(operation, villages[0]).level == 3
    assert _standing(operation, villages[1]).level == 2


def test_pattern_change_recomputes_need_of_operations_using_the_set(setup):
    operation, villages, _ = setup
    operation.pattern_set = PatternSet.objects.get(name=PER_TPS)
    operation.save()
    standings_refresh(operation=operation)
    assert _standing(operation, villages[2]).required_personnel == 8  # rawan 2 per 2 TPS, 7 TPS

    SecurityPattern.objects.filter(pattern_set=operation.pattern_set, level=2).update(police=4)
    standings_refresh_for_pattern_set(pattern_set_id=operation.pattern_set_id)

    assert _standing(operation, villages[2]).required_personnel == 16


def test_refresh_assigned_counts_voting_postings_and_shortfall(setup, django_assert_max_num_queries):
    operation, villages, jurisdiction = setup
    standings_refresh(operation=operation)
    user = UserFactory()
    for _ in range(3):
        Assignment.objects.create(
            operation=operation,
            officer=OfficerFactory(),
            stage=Stage.VOTING,
            duty=Duty.VILLAGE_GUARD,
            village_election=villages[0],
            assigned_by=user,
        )
    Assignment.objects.create(
        operation=operation,
        officer=OfficerFactory(),
        stage=Stage.CAMPAIGN,
        duty=Duty.VILLAGE_GUARD,
        village_election=villages[0],
        assigned_by=user,
    )

    # The recount and the ranking version's bump.
    with django_assert_max_num_queries(4):
        standings_refresh_assigned(operation=operation, village_election_ids=[villages[0].pk, villages[1].pk])

    first = _standing(operation, villages[0])
    assert (first.assigned_personnel, first.shortfall) == (3, 5)
    second = _standing(operation, villages[1])
    assert (second.assigned_personnel, second.shortfall) == (0, 8)


def test_refresh_assigned_never_goes_below_zero_shortfall(setup):
    operation, villages, _ = setup
    standings_refresh(operation=operation)
    user = UserFactory()
    for _ in range(10):
        Assignment.objects.create(
            operation=operation,
            officer=OfficerFactory(),
            duty=Duty.VILLAGE_GUARD,
            village_election=villages[0],
            assigned_by=user,
        )
    standings_refresh_assigned(operation=operation, village_election_ids=[villages[0].pk])
    first = _standing(operation, villages[0])
    assert (first.assigned_personnel, first.shortfall) == (10, 0)

    standings_refresh(operation=operation)
    assert _standing(operation, villages[0]).assigned_personnel == 10


@pytest.mark.parametrize("size", [10, 200])
def test_refresh_query_count_does_not_grow_with_villages(size, django_assert_max_num_queries):
    election = ElectionFactory()
    operation = OperationFactory(election=election)
    jurisdiction = JurisdictionFactory()
    for _ in range(size):
        VillageElectionFactory(election=election, desa=DesaFactory(kecamatan=jurisdiction.kecamatan))
    # patterns, villages, escorts, postings, savepoint pair, upsert batches (SQLite: ~58 rows each)
    with django_assert_max_num_queries(8 + size // 50):
        standings_refresh(operation=operation)
    assert VillageStanding.objects.filter(operation=operation).count() == size

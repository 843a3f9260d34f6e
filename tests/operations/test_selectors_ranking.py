import datetime
from decimal import Decimal as D

import pytest

from operations.demo import OPERATION_NAME, demo_load
from operations.demo_reports import demo_load_reports
from operations.models import Operation, PatternSet, RiskLevel, RiskReport, VillageStanding
from operations.selectors.ranking import level_counts, ranking_for_operation
from operations.services.standings import standings_refresh_places
from tests.factories import ElectionFactory, JurisdictionFactory, KecamatanFactory, OperationFactory
from villages.models import Desa, VillageElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_load()
    demo_load_reports()
    return Operation.objects.get(name=OPERATION_NAME)


def _names(rows):
    return [row.village_election.desa.name for row in rows]


def test_demo_ranking_has_mekarsari_and_lamaran_on_top(demo):
    rows = list(ranking_for_operation(operation=demo))
    assert _names(rows)[:2] == ["Mekarsari", "Lamaran"]
    assert [r.level for r in rows[:2]] == [RiskLevel.SANGAT_RAWAN, RiskLevel.SANGAT_RAWAN]
    assert all(r.level < RiskLevel.SANGAT_RAWAN for r in rows[2:])
    by_name = {r.village_election.desa.name: r for r in rows}
    assert by_name["Renged"].level == RiskLevel.RAWAN
    assert by_name["Wargasara"].level == RiskLevel.RAWAN
    assert {n for n, r in by_name.items() if r.level == RiskLevel.AMAN} == {
        "Carenang",
        "Pamanuk",
        "Sukamampir",
    }
    # Escorted candidates (pam melekat) add to the pattern's need: 10 + 2 × 4 at Mekarsari.
    assert by_name["Mekarsari"].required_personnel == 18


def test_demo_flags_renged_for_distance_and_wargasara_for_sea(demo):
    renged = RiskReport.objects.verified().get(village_election__desa__name="Renged")
    assert renged.answers.get(indicator__code="travel_minutes").contribution > 0
    wargasara = RiskReport.objects.verified().get(village_election__desa__name="Wargasara")
    assert wargasara.answers.get(indicator__code="sea_crossing").contribution == D("10.00")


def test_unassessed_villages_count_as_rawan_not_aman(demo):
    counts = level_counts(operation=demo)
    assert counts.total == 16
    assert counts.unassessed == 9  # 16 desa − 7 verified
    assert (counts.sangat_rawan, counts.aman) == (2, 3)
    assert counts.rawan == 16 - 2 - 3


def test_demo_reports_are_idempotent(demo):
    before = (RiskReport.objects.count(), list(VillageStanding.objects.values_list("pk", "level", "score")))
    demo_load_reports()
    assert (
        RiskReport.objects.count(),
        list(VillageStanding.objects.values_list("pk", "level", "score")),
    ) == before


def test_filters_and_jurisdiction_limit(demo):
    tirtayasa = Desa.objects.get(name="Wargasara").kecamatan_id
    rows = ranking_for_operation(operation=demo, kecamatan_id=tirtayasa)
    assert _names(rows) == ["Wargasara"]
    assert _names(ranking_for_operation(operation=demo, visible_kecamatan_ids={tirtayasa})) == ["Wargasara"]
    assert list(ranking_for_operation(operation=demo, visible_kecamatan_ids=set())) == []
    aman = ranking_for_operation(operation=demo, level=RiskLevel.AMAN)
    assert {r.level for r in aman} == {RiskLevel.AMAN}
    polsek = rows[0].polsek_id
    assert _names(ranking_for_operation(operation=demo, polsek_id=polsek)) == ["Wargasara"]


def test_ties_break_on_score_then_voters():
    operation = OperationFactory(election=ElectionFactory())
    kecamatan = KecamatanFactory()
    specs = [(2, "10", 100), (2, "10", 900), (2, "30", 50), (3, "0", 10), (1, "99", 5000)]
    for n, (level, score, voters) in enumerate(specs):
        desa = Desa.objects.create(code=f"{kecamatan.code}.{3000 + n}", name=f"D{n}", kecamatan=kecamatan)
        ve = VillageElection.objects.create(
            election=operation.election, desa=desa, tps_count=1, registered_voters=voters
        )
        VillageStanding.objects.create(
            operation=operation,
            village_election=ve,
            kecamatan=kecamatan,
            desa_code=desa.code,
            level=level,
            score=D(score),
            registered_voters=voters,
        )
    assert _names(ranking_for_operation(operation=operation)) == ["D3", "D2", "D1", "D0", "D4"]


def _bulk_ranking(size: int) -> Operation:
    election = ElectionFactory(voting_day=datetime.date(2019, 10, 20))
    operation = OperationFactory(election=election, pattern_set=PatternSet.objects.first())
    jurisdiction = JurisdictionFactory()
    kecamatan = jurisdiction.kecamatan
    desa = Desa.objects.bulk_create(
        Desa(code=f"{kecamatan.code}.{1000 + n:04d}", name=f"Desa {n}", kecamatan=kecamatan)
        for n in range(size)
    )
    villages = VillageElection.objects.bulk_create(
        VillageElection(election=election, desa=d, tps_count=3, registered_voters=1000 + n)
        for n, d in enumerate(desa)
    )
    VillageStanding.objects.bulk_create(
        VillageStanding(
            operation=operation,
            village_election=ve,
            kecamatan=kecamatan,
            polsek=jurisdiction.unit,
            desa_code=d.code,
            level=1 + n % 3,
            score=D(n % 70),
            registered_voters=ve.registered_voters,
        )
        for n, (ve, d) in enumerate(zip(villages, desa, strict=True))
    )
    # Rows written around the services carry no names yet; the places service copies them.
    assert standings_refresh_places(kecamatan_ids=[kecamatan.pk]) == size
    return operation


@pytest.mark.parametrize("size", [10, 1000])
def test_ranking_runs_in_constant_queries(size, django_assert_max_num_queries):
    operation = _bulk_ranking(size)
    with django_assert_max_num_queries(2):
        rows = list(ranking_for_operation(operation=operation))
        counts = level_counts(operation=operation)
        shown = [(r.desa_name, r.kecamatan_name, r.polsek_name) for r in rows]
    assert len(shown) == size == counts.total
    # The copied names are the places' own names.
    real = {
        s.pk: (s.village_election.desa.name, s.kecamatan.name, s.polsek.name)
        for s in VillageStanding.objects.filter(operation=operation).select_related(
            "village_election__desa", "kecamatan", "polsek"
        )
    }
    assert shown == [real[r.pk] for r in rows]

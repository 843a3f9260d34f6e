import pytest
from django.core.management import call_command

from operations.models import VillageRisk, VillageStanding
from operations.services.reports import report_create, report_submit, report_verify, risk_override
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db

RISK_FIELDS = (
    "village_election_id",
    "report_id",
    "score",
    "computed_level",
    "override_level",
    "last_report_at",
)
STANDING_FIELDS = (
    "village_election_id",
    "level",
    "computed_level",
    "is_overridden",
    "score",
    "required_personnel",
    "required_linmas",
    "assigned_personnel",
    "shortfall",
    "last_report_at",
    "kecamatan_id",
    "polsek_id",
)


def _verify(world, village, **values):
    report = report_create(village_election=village, author=world.polsek, answers=answers(**values))
    report_submit(report=report, by=world.polsek)
    return report_verify(report=report, by=world.kabag)


def _snapshot():
    return (
        sorted(VillageRisk.objects.values_list(*RISK_FIELDS)),
        sorted(VillageStanding.objects.values_list(*STANDING_FIELDS)),
    )


def test_recompute_yields_the_same_rows_as_the_incremental_path(make_user, capsys):
    world = build_world(make_user, own_villages=4)
    _verify(world, world.own[0], former_head_strong_rival=True, split_camps=True, conflict_history=True)
    _verify(world, world.own[1], lost_candidate_again=True, split_camps=True)
    _verify(world, world.own[1], lost_candidate_again=True)  # supersedes the one above
    _verify(world, world.own[2], travel_minutes=45)
    risk_override(village_election=world.own[2], level=3, reason="Jalan putus", by=world.kabag)
    pending = report_create(
        village_election=world.own[3], author=world.polsek, answers=answers(sea_crossing=True)
    )
    report_submit(report=pending, by=world.polsek)  # submitted, never verified: must not count
    incremental = _snapshot()

    VillageRisk.objects.update(score=None, computed_level=None, report=None, last_report_at=None)
    VillageStanding.objects.all().delete()
    call_command("recompute_risk")

    assert _snapshot() == incremental
    assert "3 desa" in capsys.readouterr().out
    assert VillageStanding.objects.filter(operation=world.operation).count() == 5

import pytest
from django.urls import reverse

from operations.models import RiskReport, SecurityPattern, VillageRisk, VillageStanding
from operations.services.reports import report_create, report_submit
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
CHANGELIST = "admin:operations_riskreport_changelist"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _submitted(world, village):
    report = report_create(village_election=village, author=world.polsek, answers=answers(split_camps=True))
    return report_submit(report=report, by=world.polsek)


def test_verify_action_calls_the_service(client, world):
    report = _submitted(world, world.own[0])
    draft = report_create(village_election=world.own[1], author=world.polsek)
    client.force_login(world.kabag)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "verify_reports", "_selected_action": [report.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    report.refresh_from_db()
    draft.refresh_from_db()
    assert (report.status, draft.status) == (Status.VERIFIED, Status.DRAFT)
    assert "Diajukan" in response.content.decode()  # the draft's refusal is shown, not a 500


def test_return_action_asks_for_a_reason_first(client, world):
    report = _submitted(world, world.own[0])
    client.force_login(world.kabag)
    data = {"action": "return_reports", "_selected_action": [report.pk]}
    response = client.post(reverse(CHANGELIST), data)
    assert response.status_code == 200 and b"reason" in response.content
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    client.post(reverse(CHANGELIST), {**data, "reason": "Bukti kurang."})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (Status.RETURNED, "Bukti kurang.")


def test_override_in_admin_goes_through_the_service(client, world):
    VillageRisk.objects.create(village_election=world.own[0])
    client.force_login(world.kabag)
    url = reverse("admin:operations_villagerisk_change", args=[world.own[0].pk])
    response = client.post(url, {"override_level": "3", "override_reason": ""})
    assert response.status_code == 200  # re-rendered with the missing-reason error
    response = client.post(url, {"override_level": "3", "override_reason": "Intel."})
    assert response.status_code == 302
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert (standing.level, standing.is_overridden) == (3, True)
    assert VillageRisk.objects.get(pk=world.own[0].pk).override_by == world.kabag


def test_saving_patterns_refreshes_the_need(client, world):
    pattern_set = world.operation.pattern_set
    client.force_login(world.kabag)
    patterns = list(SecurityPattern.objects.filter(pattern_set=pattern_set).order_by("level"))
    data = {
        "name": pattern_set.name,
        "source": pattern_set.source,
        "patrol_per_kecamatan": pattern_set.patrol_per_kecamatan,
        "patterns-TOTAL_FORMS": "3",
        "patterns-INITIAL_FORMS": "3",
        "patterns-MIN_NUM_FORMS": "0",
        "patterns-MAX_NUM_FORMS": "3",
    }
    for i, p in enumerate(patterns):
        data.update(
            {
                f"patterns-{i}-id": p.pk,
                f"patterns-{i}-pattern_set": pattern_set.pk,
                f"patterns-{i}-level": p.level,
                f"patterns-{i}-form": p.form,
                f"patterns-{i}-police": 12 if p.level == 2 else p.police,
                f"patterns-{i}-tps_per_group": "",
                f"patterns-{i}-linmas": p.linmas,
            }
        )
    response = client.post(reverse("admin:operations_patternset_change", args=[pattern_set.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert standing.required_personnel == 12


def test_candidate_escort_flag_in_admin_refreshes_the_need(client, world):
    from tests.factories import CandidateFactory

    candidate = CandidateFactory(village_election=world.own[0], ballot_number=1)
    client.force_login(world.kabag)
    url = reverse("admin:villages_candidate_change", args=[candidate.pk])
    response = client.post(
        url,
        {
            "village_election": world.own[0].pk,
            "ballot_number": 1,
            "full_name": candidate.full_name,
            "head_status": "none",
            "status": "registered",
            "needs_close_escort": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    standing = VillageStanding.objects.get(operation=world.operation, village_election=world.own[0])
    assert (standing.escorted_candidates, standing.required_personnel) == (1, 8 + 4)


def test_operation_admin_save_refreshes_unassessed_level(client, world):
    operation = world.operation
    client.force_login(world.kabag)
    url = reverse("admin:operations_operation_change", args=[operation.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "election": operation.election_id,
            "pattern_set": operation.pattern_set_id,
            "unassessed_level": 3,
            "starts_on": operation.starts_on.isoformat(),
            "ends_on": operation.ends_on.isoformat(),
            "bko_contingents-TOTAL_FORMS": "0",
            "bko_contingents-INITIAL_FORMS": "0",
            "bko_contingents-MIN_NUM_FORMS": "0",
            "bko_contingents-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    levels = set(VillageStanding.objects.filter(operation=operation).values_list("level", flat=True))
    assert levels == {3}

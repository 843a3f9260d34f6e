"""A transition the report's state does not allow answers 409 (not 400), in the one error shape."""

import pytest

from operations.models import RiskReport
from operations.services.reports import report_create, report_return, report_submit, report_verify
from pilkades.errors import WrongState
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _report(world, status: str) -> RiskReport:
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=answers(split_camps=True)
    )
    if status == Status.DRAFT:
        return report
    report = report_submit(report=report, by=world.polsek)
    if status == Status.VERIFIED:
        report = report_verify(report=report, by=world.kabag)
    elif status == Status.RETURNED:
        report = report_return(report=report, by=world.kabag, reason="Tambah bukti.")
    return report


# (state the report is in, who acts, method, action path, body)
WRONG = [
    (Status.VERIFIED, "kabag", "post", "verify/", None),
    (Status.RETURNED, "kabag", "post", "verify/", None),
    (Status.DRAFT, "kabag", "post", "verify/", None),
    (Status.RETURNED, "kabag", "post", "return/", {"reason": "Lagi."}),
    (Status.VERIFIED, "kabag", "post", "return/", {"reason": "Lagi."}),
    (Status.DRAFT, "kabag", "post", "return/", {"reason": "Lagi."}),
    (Status.SUBMITTED, "polsek", "post", "submit/", None),
    (Status.VERIFIED, "polsek", "post", "submit/", None),
    (Status.SUBMITTED, "polsek", "patch", "", {"narrative": "x"}),
    (Status.VERIFIED, "polsek", "patch", "", {"narrative": "x"}),
]


@pytest.mark.parametrize(("state", "who", "method", "action", "body"), WRONG)
def test_wrong_state_transition_is_409_in_the_error_shape(
    api_client, world, state, who, method, action, body
):
    report = _report(world, state)
    api_client.force_authenticate(getattr(world, who))
    response = getattr(api_client, method)(f"{REPORTS}{report.pk}/{action}", body, format="json")
    assert response.status_code == 409, response.json()
    payload = response.json()
    messages = payload["errors"]["non_field_errors"]
    assert messages and payload["detail"] == " ".join(messages)
    report.refresh_from_db()
    assert report.status == state


def test_bad_input_on_a_decidable_report_is_still_400(api_client, world):
    report = _report(world, Status.SUBMITTED)
    api_client.force_authenticate(world.kabag)
    response = api_client.post(f"{REPORTS}{report.pk}/return/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def test_an_incomplete_submission_is_400_not_409(api_client, world):
    report = report_create(village_election=world.own[0], author=world.polsek)
    api_client.force_authenticate(world.polsek)
    assert api_client.post(f"{REPORTS}{report.pk}/submit/").status_code == 400


def test_service_raises_wrong_state_which_is_a_validation_error(world):
    report = _report(world, Status.VERIFIED)
    with pytest.raises(WrongState) as raised:
        report_verify(report=report, by=world.kabag)
    assert "Diajukan" in " ".join(raised.value.messages)

"""A report is submitted only when every indicator of the catalogue is answered (issue 11, item 4).

"Tidak diketahui" (unknown) is an answer for every indicator kind; a village whose current report
holds one never falls below the operation's default level. Drafts may stay incomplete.
"""

import uuid
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from operations.models import RiskIndicator, RiskReport, VillageStanding
from operations.selectors.report_facts import COMMITTEE, VOTERS
from operations.services.reports import (
    AnswerData,
    report_create,
    report_save,
    report_submit,
    report_update,
    report_verify,
)
from tests.operations.risk_setup import (
    AS_RECORDED,
    answers,
    api_as_recorded,
    build_world,
    indicator,
    partial_answers,
)

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _labels_missing(**answered) -> list[str]:
    return [i.label for i in RiskIndicator.objects.filter(is_active=True) if i.code not in answered]


def _all_unknown() -> list[AnswerData]:
    """Every indicator "tidak diketahui" but the DPT and the committee, which the village records
    (calling them unknown would contradict the record): answered as recorded."""
    unknown = RiskIndicator.objects.filter(is_active=True).exclude(code__in=AS_RECORDED)
    return [AnswerData(indicator_id=i.pk, unknown=True) for i in unknown] + partial_answers(**AS_RECORDED)


def _unrecorded():
    return RiskIndicator.objects.filter(is_active=True).exclude(code__in=AS_RECORDED)


def _standing(world, village):
    return VillageStanding.objects.get(operation=world.operation, village_election=village)


def test_submitting_an_incomplete_draft_is_refused_naming_every_missing_indicator(world):
    draft = report_create(
        village_election=world.own[0], author=world.polsek, answers=partial_answers(split_camps=True)
    )
    with pytest.raises(ValidationError) as exc:
        report_submit(report=draft, by=world.polsek)

    messages = exc.value.message_dict["answers"]
    for label in _labels_missing(split_camps=True):
        assert any(label in message for message in messages), (label, messages)
    assert not any(indicator("split_camps").label in message for message in messages)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_creating_a_submitted_report_without_answers_stores_nothing(world):
    with pytest.raises(ValidationError) as exc:
        report_create(village_election=world.own[0], author=world.polsek, submit=True)
    assert "answers" in exc.value.message_dict
    assert not RiskReport.objects.exists()


def test_update_with_submit_and_keyed_save_with_submit_are_refused_when_incomplete(world):
    draft = report_create(village_election=world.own[0], author=world.polsek)
    with pytest.raises(ValidationError):
        report_update(report=draft, by=world.polsek, answers=partial_answers(split_camps=True), submit=True)
    with pytest.raises(ValidationError):
        report_save(
            village_election=world.own[1], author=world.polsek, idempotency_key=uuid.uuid4(), submit=True
        )
    assert set(RiskReport.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_answer_with_no_value_does_not_count_as_answered(world):
    empty = [AnswerData(indicator_id=a.indicator_id) for a in answers()]
    with pytest.raises(ValidationError):
        report_create(village_election=world.own[0], author=world.polsek, answers=empty, submit=True)


def test_unknown_answers_never_lower_the_village_below_the_default_level(world):
    assert _standing(world, world.own[0]).level == world.operation.unassessed_level
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=_all_unknown(), submit=True
    )
    report = report_verify(report=report, by=world.kabag)

    assert report.score == D("2.50")  # the DPT of 2 500 as recorded; the unknown answers score nothing
    standing = _standing(world, world.own[0])
    assert standing.level == world.operation.unassessed_level
    assert standing.required_personnel == _standing(world, world.own[1]).required_personnel


def test_one_unknown_answer_is_enough_to_keep_the_default_level(world):
    values = answers()
    split_camps = next(i for i, a in enumerate(values) if a.indicator_id == indicator("split_camps").pk)
    values[split_camps] = AnswerData(indicator_id=values[split_camps].indicator_id, unknown=True)
    report = report_create(village_election=world.own[0], author=world.polsek, answers=values, submit=True)
    report_verify(report=report, by=world.kabag)
    assert _standing(world, world.own[0]).level == world.operation.unassessed_level


def test_a_complete_report_of_known_answers_may_lower_the_level(world):
    report = report_create(village_election=world.own[0], author=world.polsek, answers=answers(), submit=True)
    report_verify(report=report, by=world.kabag)
    assert _standing(world, world.own[0]).level == 1  # Aman: every answer known and "no"


def test_unknown_answer_with_a_value_is_refused(world):
    bad = AnswerData(indicator_id=indicator("split_camps").pk, flag=True, unknown=True)
    with pytest.raises(ValidationError):
        report_create(village_election=world.own[0], author=world.polsek, answers=[bad])


# --- API -------------------------------------------------------------------------------------------


def test_api_submit_true_with_no_answers_is_a_field_error_naming_the_missing_indicators(world):
    response = _client(world.polsek).post(
        REPORTS, {"village_election": world.own[0].pk, "submit": True}, format="json"
    )
    assert response.status_code == 400, response.json()
    messages = response.json()["errors"]["answers"]
    for label in _labels_missing():
        assert any(label in message for message in messages)
    assert not RiskReport.objects.exists()


def test_api_submit_action_on_an_incomplete_draft_is_400(world):
    client = _client(world.polsek)
    created = client.post(REPORTS, {"village_election": world.own[0].pk}, format="json")
    assert created.status_code == 201  # a draft may stay incomplete
    response = client.post(f"{REPORTS}{created.json()['id']}/submit/")
    assert response.status_code == 400
    assert "answers" in response.json()["errors"]


def test_api_accepts_unknown_for_every_indicator_kind(world):
    payload = {
        "village_election": world.own[0].pk,
        # Every indicator but the DPT and the committee, which the village records.
        "answers": [
            *({"indicator": i.code, "unknown": True} for i in _unrecorded()),
            *api_as_recorded(),
        ],
        "submit": True,
    }
    response = _client(world.polsek).post(REPORTS, payload, format="json")
    assert response.status_code == 201, response.json()
    unknown = [a for a in response.json()["answers"] if a["indicator"] not in AS_RECORDED]
    assert {a["indicator"] for a in unknown} == {i.code for i in _unrecorded()}
    assert {i.kind for i in _unrecorded()} == set(RiskIndicator.Kind.values)
    assert all(a["unknown"] and a["flag"] is None and a["number"] is None for a in unknown)


def test_api_unknown_together_with_a_value_is_400(world):
    payload = {
        "village_election": world.own[0].pk,
        "answers": [{"indicator": "travel_minutes", "number": "30", "unknown": True}],
    }
    response = _client(world.polsek).post(REPORTS, payload, format="json")
    assert response.status_code == 400
    assert not RiskReport.objects.exists()


# --- the phone form --------------------------------------------------------------------------------


def _form_data(world, action, **values):
    return {
        "village_election": world.own[0].pk,
        "narrative": "",
        "idempotency_key": str(uuid.uuid4()),
        "action": action,
        **values,
    }


def test_form_ajukan_with_only_the_desa_is_refused_with_an_error_on_every_indicator(client, world):
    client.force_login(world.polsek)
    response = client.post(reverse("report-create"), _form_data(world, "submit"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    # The DPT and the committee are recorded for every village: left empty, they are answered.
    for ind in RiskIndicator.objects.filter(is_active=True).exclude(code__in=(VOTERS, COMMITTEE)):
        assert f"value_{ind.code}" in errors, ind.code
    assert not RiskReport.objects.filter(status=Status.SUBMITTED).exists()


def test_form_ajukan_in_the_background_answers_400_naming_the_fields(client, world):
    client.force_login(world.polsek)
    response = client.post(
        reverse("report-create"),
        _form_data(world, "submit", value_split_camps="yes"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "value_split_camps" not in errors
    assert "value_travel_minutes" in errors


def test_form_draft_may_stay_incomplete(client, world):
    client.force_login(world.polsek)
    response = client.post(reverse("report-create"), _form_data(world, "draft", value_split_camps="yes"))
    assert response.status_code == 302
    assert RiskReport.objects.get().status == Status.DRAFT


def test_form_offers_unknown_for_every_kind_and_submits_when_all_answered(client, world):
    client.force_login(world.polsek)
    html = client.get(reverse("report-create")).content.decode()
    assert "Tidak diketahui" in html

    values = {}
    for ind in RiskIndicator.objects.filter(is_active=True):
        if ind.kind == RiskIndicator.Kind.BOOLEAN:
            values[f"value_{ind.code}"] = "unknown"
        else:
            values[f"unknown_{ind.code}"] = "on"
        if ind.code in (VOTERS, COMMITTEE):
            values[f"evidence_{ind.code}"] = "Data desa belum diperiksa di lapangan."  # against the record
    response = client.post(reverse("report-create"), _form_data(world, "submit", **values))
    assert response.status_code == 302, response.context["form"].errors
    report = RiskReport.objects.get()
    assert report.status == Status.SUBMITTED
    assert all(a.unknown for a in report.answers.all())


def test_form_number_and_unknown_together_is_a_field_error(client, world):
    client.force_login(world.polsek)
    response = client.post(
        reverse("report-create"),
        _form_data(world, "draft", value_travel_minutes="30", unknown_travel_minutes="on"),
    )
    assert response.status_code == 200
    assert "value_travel_minutes" in response.context["form"].errors

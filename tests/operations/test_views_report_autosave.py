"""The phone form's background saves and retried submissions: one report per idempotency key."""

import uuid

import pytest
from django.urls import reverse

from operations.models import RiskReport, RiskReportTransition
from operations.roles import POLSEK
from tests.operations.risk_setup import build_world, form_answers

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def polsek_client(client, world):
    client.force_login(world.polsek)
    return client


def _data(world, key, action="draft", **extra):
    return {
        "village_election": world.own[0].pk,
        "idempotency_key": str(key),
        "narrative": "Situasi memanas.",
        **form_answers(),
        "value_former_head_strong_rival": "yes",
        "value_travel_minutes": "30",
        "action": action,
        **extra,
    }


def test_repeated_background_saves_with_one_key_update_one_draft(polsek_client, world):
    key = uuid.uuid4()
    first = polsek_client.post(reverse("report-create"), _data(world, key), **JSON)
    again = polsek_client.post(reverse("report-create"), _data(world, key, narrative="Lebih panas."), **JSON)

    report = RiskReport.objects.get()
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"] == report.pk
    assert first.json()["edit_url"] == reverse("report-edit", args=[report.pk])
    assert first.json()["next"] is None
    assert (report.status, report.narrative) == (Status.DRAFT, "Lebih panas.")


@pytest.mark.parametrize("url_name", ["report-create", "report-edit"])
def test_a_retried_submission_yields_one_submitted_report(polsek_client, world, url_name):
    key = uuid.uuid4()
    polsek_client.post(reverse("report-create"), _data(world, key), **JSON)
    report = RiskReport.objects.get()
    url = reverse(url_name, args=[report.pk] if url_name == "report-edit" else [])

    responses = [polsek_client.post(url, _data(world, key, action="submit"), **JSON) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert {r.json()["next"] for r in responses} == {reverse("report-list")}
    report.refresh_from_db()
    assert RiskReport.objects.count() == 1
    assert report.status == Status.SUBMITTED
    assert RiskReportTransition.objects.filter(report=report, to_status=Status.SUBMITTED).count() == 1


def test_a_double_posted_plain_form_makes_one_report(polsek_client, world):
    key = uuid.uuid4()
    for _ in range(2):
        response = polsek_client.post(reverse("report-create"), _data(world, key, action="submit"))
        assert response.status_code == 302
    assert RiskReport.objects.get().status == Status.SUBMITTED


def test_bad_input_is_400_json_with_field_errors(polsek_client, world):
    response = polsek_client.post(
        reverse("report-create"), _data(world, uuid.uuid4(), value_travel_minutes="-5"), **JSON
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["value_travel_minutes"]
    assert not RiskReport.objects.exists()


def test_a_late_draft_save_does_not_reopen_a_submitted_report(polsek_client, world):
    key = uuid.uuid4()
    polsek_client.post(reverse("report-create"), _data(world, key, action="submit"), **JSON)
    report = RiskReport.objects.get()

    by_key = polsek_client.post(reverse("report-create"), _data(world, key, narrative="Lama."), **JSON)
    by_url = polsek_client.post(reverse("report-edit", args=[report.pk]), _data(world, key), **JSON)

    report.refresh_from_db()
    # A save of other content under the key of a submitted report is refused (422), as is a save
    # to the report's own page (409): neither reopens it.
    assert by_key.status_code == 422 and "idempotency_key" in by_key.json()["errors"]
    assert by_url.status_code == 409
    assert (report.status, report.narrative) == (Status.SUBMITTED, "Situasi memanas.")


def test_another_officers_key_is_a_field_error(client, world, make_user):
    key = uuid.uuid4()
    client.force_login(world.polsek)
    client.post(reverse("report-create"), _data(world, key), **JSON)
    colleague = make_user(POLSEK, unit=world.unit)
    client.force_login(colleague)

    response = client.post(reverse("report-create"), _data(world, key, narrative="Bukan milik saya."), **JSON)

    assert response.status_code == 422
    assert "idempotency_key" in response.json()["errors"]
    assert RiskReport.objects.get().narrative == "Situasi memanas."


def test_the_form_page_carries_a_fresh_key_and_its_script(polsek_client):
    pages = [polsek_client.get(reverse("report-create")).content.decode() for _ in range(2)]
    keys = [page.split('name="idempotency_key" value="', 1)[1][:36] for page in pages]
    assert keys[0] != keys[1] and all(uuid.UUID(k) for k in keys)
    assert "js/report-form.js" in pages[0] and "data-report-form" in pages[0]

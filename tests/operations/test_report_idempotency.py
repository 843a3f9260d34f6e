"""An idempotency key names one request body (issue 11, item 8).

The rule, for a key already stored with a report:
- the same body again (a retry whose answer was lost): the report as it is, 200, marked
  ``Idempotent-Replayed: true``; nothing is written (a draft is submitted if the retry asks for it);
- another body from the same author for the same village while the report is still a draft: the
  phone's autosave bringing its draft up to date (200);
- anything else (another village, another author, a report already submitted, verified or
  returned): refused, 422, naming the key; nothing is written.
"""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from operations.models import RiskReport
from operations.services.reports import IdempotencyKeyReused, report_create, report_return, report_save
from tests.operations.risk_setup import answers, api_answers, build_world, form_answers

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"
REPLAYED = "Idempotent-Replayed"


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_same_key_with_another_village_is_422_and_the_first_report_stays(world):
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    first = client.post(REPORTS, {"village_election": world.own[0].pk, "idempotency_key": key}, format="json")
    assert first.status_code == 201

    second = client.post(
        REPORTS,
        {"village_election": world.own[1].pk, "idempotency_key": key, "narrative": "other"},
        format="json",
    )

    assert second.status_code == 422, second.json()
    body = second.json()
    assert set(body) == {"detail", "errors"}
    assert "idempotency_key" in body["errors"]
    assert "Kunci idempotensi" in body["errors"]["idempotency_key"][0]
    report = RiskReport.objects.get()
    assert (report.village_election_id, report.narrative) == (world.own[0].pk, "")


def test_api_true_replay_is_200_marked_as_a_replay(world):
    client = _client(world.polsek)
    payload = {
        "village_election": world.own[0].pk,
        "idempotency_key": str(uuid.uuid4()),
        "narrative": "Dua kubu.",
        "answers": api_answers({"indicator": "split_camps", "flag": True}),
        "submit": True,
    }
    first = client.post(REPORTS, payload, format="json")
    again = client.post(REPORTS, payload, format="json")

    assert first.status_code == 201 and REPLAYED not in first.headers
    assert again.status_code == 200
    assert again.headers[REPLAYED] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert RiskReport.objects.count() == 1


def test_api_same_key_another_body_updates_the_authors_draft_of_that_village(world):
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    first = client.post(REPORTS, {"village_election": world.own[0].pk, "idempotency_key": key}, format="json")
    later = client.post(
        REPORTS,
        {"village_election": world.own[0].pk, "idempotency_key": key, "narrative": "Lebih panas."},
        format="json",
    )

    assert later.status_code == 200 and REPLAYED not in later.headers
    assert later.json()["id"] == first.json()["id"]
    assert RiskReport.objects.get().narrative == "Lebih panas."


def test_api_same_key_another_body_after_submission_is_422(world):
    client = _client(world.polsek)
    payload = {
        "village_election": world.own[0].pk,
        "idempotency_key": str(uuid.uuid4()),
        "answers": api_answers(),
        "submit": True,
    }
    assert client.post(REPORTS, payload, format="json").status_code == 201
    response = client.post(REPORTS, {**payload, "narrative": "ditambah"}, format="json")
    assert response.status_code == 422
    assert RiskReport.objects.get().narrative == ""


def test_service_refuses_a_key_reused_for_another_village(world):
    key = uuid.uuid4()
    report_create(village_election=world.own[0], author=world.polsek, idempotency_key=key)
    with pytest.raises(IdempotencyKeyReused) as exc:
        report_create(village_election=world.own[1], author=world.polsek, idempotency_key=key, narrative="x")
    assert "idempotency_key" in exc.value.message_dict
    with pytest.raises(IdempotencyKeyReused):
        report_save(village_election=world.own[1], author=world.polsek, idempotency_key=key)


def test_service_late_save_of_another_body_to_a_returned_report_is_refused(world):
    key = uuid.uuid4()
    report = report_create(
        village_election=world.own[0],
        author=world.polsek,
        idempotency_key=key,
        answers=answers(),
        submit=True,
    )
    report_return(report=report, by=world.kabag, reason="Lengkapi.")
    with pytest.raises(IdempotencyKeyReused):
        report_save(
            village_election=world.own[0],
            author=world.polsek,
            idempotency_key=key,
            narrative="lama",
            submit=True,
        )
    report.refresh_from_db()
    assert (report.status, report.narrative) == (Status.RETURNED, "")


# --- the phone form --------------------------------------------------------------------------------


def _form(world, key, village, **extra) -> dict:
    return {
        "village_election": village.pk,
        "idempotency_key": str(key),
        "narrative": "",
        "action": "draft",
        **form_answers(),
        **extra,
    }


def test_form_same_key_with_another_village_is_422_in_the_background(client, world):
    client.force_login(world.polsek)
    key = uuid.uuid4()
    json = {"HTTP_ACCEPT": "application/json"}
    assert client.post(reverse("report-create"), _form(world, key, world.own[0]), **json).status_code == 200
    response = client.post(reverse("report-create"), _form(world, key, world.own[1]), **json)
    assert response.status_code == 422
    assert "idempotency_key" in response.json()["errors"]
    assert RiskReport.objects.get().village_election_id == world.own[0].pk


def test_form_same_key_with_another_village_is_refused_on_the_page(client, world):
    client.force_login(world.polsek)
    key = uuid.uuid4()
    assert client.post(reverse("report-create"), _form(world, key, world.own[0])).status_code == 302
    response = client.post(reverse("report-create"), _form(world, key, world.own[1]))
    assert response.status_code == 422
    assert "Kunci idempotensi" in response.content.decode()
    assert RiskReport.objects.get().village_election_id == world.own[0].pk

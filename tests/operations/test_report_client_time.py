"""A risk report keeps the phone's time of its submission beside the server's (issue 15, item 3).

The field app's queue sends a submission made without signal when the phone next finds a network,
with ``client_time`` (when the officer pressed "Ajukan"); the report stores it, and HQ sees it
beside the server's submission time, so a late arrival over a bad network is not read as a late
report. A draft save stores none; a replayed submission keeps the first one.
"""

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from operations.models import RiskReport
from operations.services.reports import report_return
from tests.operations.risk_setup import api_answers, build_world, form_answers

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
PHONE_TIME = "2026-12-04T01:15:30.000Z"
PHONE_DATETIME = datetime(2026, 12, 4, 1, 15, 30, tzinfo=UTC)


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _form(world, key, **extra) -> dict:
    return {
        "village_election": world.own[0].pk,
        "idempotency_key": str(key),
        "narrative": "Dua kubu.",
        "action": "submit",
        **form_answers(),
        **extra,
    }


def test_queued_submission_stores_the_phone_time_beside_the_server_time(client, world):
    client.force_login(world.polsek)
    response = client.post(
        reverse("report-create"), _form(world, uuid.uuid4(), client_time=PHONE_TIME), **JSON
    )

    assert response.status_code == 200, response.content
    report = RiskReport.objects.get()
    assert report.status == RiskReport.Status.SUBMITTED
    assert report.client_time == PHONE_DATETIME
    assert report.submitted_at > report.client_time


def test_submission_without_a_phone_time_stores_none(client, world):
    client.force_login(world.polsek)
    client.post(reverse("report-create"), _form(world, uuid.uuid4()), **JSON)

    assert RiskReport.objects.get().client_time is None


def test_draft_save_stores_no_phone_time(client, world):
    client.force_login(world.polsek)
    client.post(
        reverse("report-create"), _form(world, uuid.uuid4(), action="draft", client_time=PHONE_TIME), **JSON
    )

    report = RiskReport.objects.get()
    assert (report.status, report.client_time) == (RiskReport.Status.DRAFT, None)


def test_draft_submitted_from_its_page_stores_the_phone_time(client, world):
    client.force_login(world.polsek)
    key = uuid.uuid4()
    client.post(reverse("report-create"), _form(world, key, action="draft"), **JSON)
    report = RiskReport.objects.get()

    response = client.post(
        reverse("report-edit", args=[report.pk]), _form(world, key, client_time=PHONE_TIME), **JSON
    )

    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert (report.status, report.client_time) == (RiskReport.Status.SUBMITTED, PHONE_DATETIME)


def test_keyed_draft_submitted_by_a_retry_stores_the_phone_time(client, world):
    """The autosave stored the draft under the key; the queue's submission names the same key."""
    client.force_login(world.polsek)
    key = uuid.uuid4()
    client.post(reverse("report-create"), _form(world, key, action="draft"), **JSON)

    client.post(reverse("report-create"), _form(world, key, client_time=PHONE_TIME), **JSON)

    report = RiskReport.objects.get()
    assert (report.status, report.client_time) == (RiskReport.Status.SUBMITTED, PHONE_DATETIME)


def test_replayed_submission_keeps_the_first_phone_time(client, world):
    client.force_login(world.polsek)
    key = uuid.uuid4()
    client.post(reverse("report-create"), _form(world, key, client_time=PHONE_TIME), **JSON)

    again = client.post(
        reverse("report-create"), _form(world, key, client_time="2026-12-04T05:00:00Z"), **JSON
    )

    assert again.status_code == 200
    assert RiskReport.objects.get().client_time == PHONE_DATETIME


def test_returned_report_resubmitted_stores_the_new_phone_time(client, world):
    client.force_login(world.polsek)
    client.post(reverse("report-create"), _form(world, uuid.uuid4(), client_time=PHONE_TIME), **JSON)
    report = report_return(report=RiskReport.objects.get(), by=world.kabag, reason="Lengkapi uraian.")

    later = "2026-12-04T03:00:00Z"
    client.post(
        reverse("report-edit", args=[report.pk]), _form(world, uuid.uuid4(), client_time=later), **JSON
    )

    report.refresh_from_db()
    assert report.client_time == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def test_unreadable_phone_time_is_a_field_error_not_a_500(client, world):
    client.force_login(world.polsek)
    response = client.post(
        reverse("report-create"), _form(world, uuid.uuid4(), client_time="kemarin"), **JSON
    )

    assert response.status_code == 400
    assert "client_time" in response.json()["errors"]
    assert not RiskReport.objects.exists()


def test_review_queue_shows_the_phone_time_beside_the_server_time(client, world):
    client.force_login(world.polsek)
    client.post(reverse("report-create"), _form(world, uuid.uuid4(), client_time=PHONE_TIME), **JSON)
    client.force_login(world.kabag)

    page = client.get(reverse("report-review")).content.decode()

    # 01:15:30 UTC is 08.15 in the desk's time zone (Asia/Jakarta), in the desk's one format.
    assert "di ponsel 4 Desember 2026, 08.15" in page


def test_api_submission_stores_and_answers_the_phone_time(world):
    api = APIClient()
    api.force_authenticate(world.polsek)
    response = api.post(
        "/api/v1/risk-reports/",
        {
            "village_election": world.own[0].pk,
            "idempotency_key": str(uuid.uuid4()),
            "answers": api_answers(),
            "submit": True,
            "client_time": PHONE_TIME,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert RiskReport.objects.get().client_time == PHONE_DATETIME
    assert response.json()["client_time"] is not None

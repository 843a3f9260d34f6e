"""A finished report created and submitted in one request (issue #6): the API's ``"submit": true``
and the phone form's "Ajukan" share ``report_create(submit=True)``.

What it records must be what create then submit records; every rule of the two steps still holds.
"""

import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from operations.models import PersonToken, RiskIndicator, RiskReport, RiskReportAnswer, RiskReportTransition
from operations.services.reports import (
    IdempotencyKeyReused,
    report_create,
    report_return,
    report_save,
    report_submit,
    report_update,
    report_verify,
)
from operations.services.tokens import person_token_create
from tests.operations.risk_setup import (
    answers,
    api_answers,
    api_as_recorded,
    build_world,
    form_answers,
    partial_answers,
)
from webhooks.services import subscribed_endpoint_ids

pytestmark = pytest.mark.django_db

Status = RiskReport.Status
REPORTS = "/api/v1/risk-reports/"
# A plain create (SAVEPOINT/RELEASE included, see test_report_query_counts.py) and one query more:
# the token, the jurisdiction, the village, the indicators, the village's recorded facts (answers
# must agree with them), the catalogue's unanswered indicators (submission needs all answered), then
# one insert each for the report, its two history rows, the answers, their history rows and the two
# transitions.
CREATE_SUBMITTED_BUDGET = 13


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _payload(village, **extra) -> dict:
    return {
        "village_election": village.pk,
        "narrative": "Dua kubu berimbang.",
        "answers": api_answers(
            {"indicator": "split_camps", "flag": True, "evidence": "Posko berhadapan."},
            {"indicator": "travel_minutes", "number": "30"},
        ),
        "submit": True,
        **extra,
    }


def _steps(report: RiskReport) -> list[tuple[str, str, int]]:
    return list(
        RiskReportTransition.objects.filter(report=report)
        .order_by("pk")
        .values_list("from_status", "to_status", "by_id")
    )


def test_service_creates_a_submitted_report_with_both_transitions_and_history(world):
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=answers(split_camps=True), submit=True
    )

    stored = RiskReport.objects.get()
    assert (stored.status, stored.author_id) == (Status.SUBMITTED, world.polsek.pk)
    assert stored.submitted_at is not None
    assert _steps(stored) == [
        ("", Status.DRAFT, world.polsek.pk),
        (Status.DRAFT, Status.SUBMITTED, world.polsek.pk),
    ]
    history = stored.history.order_by("history_id").values_list("history_type", "status")
    assert list(history) == [("+", Status.DRAFT), ("~", Status.SUBMITTED)]
    assert RiskReportAnswer.history.filter(report_id=stored.pk).count() == stored.answers.count() == 13
    # What the service hands back (and the API echoes) is what is stored.
    assert [(t.from_status, t.to_status) for t in report.transitions.all()] == [
        ("", Status.DRAFT),
        (Status.DRAFT, Status.SUBMITTED),
    ]


def test_records_the_same_as_create_then_submit(world):
    two_steps = report_submit(
        report=report_create(
            village_election=world.own[0], author=world.polsek, answers=answers(split_camps=True)
        ),
        by=world.polsek,
    )
    one_step = report_create(
        village_election=world.own[1], author=world.polsek, answers=answers(split_camps=True), submit=True
    )

    def recorded(report):
        history = report.history.order_by("history_id").values_list(
            "history_type", "status", "history_user_id"
        )
        return _steps(report), list(history)

    assert recorded(one_step) == recorded(two_steps)


def test_api_submit_true_answers_201_with_the_submitted_report(world):
    client = _client(world.polsek)
    response = client.post(REPORTS, _payload(world.own[0]), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == Status.SUBMITTED
    assert [(t["from_status"], t["to_status"], t["by"]) for t in body["transitions"]] == [
        ("", Status.DRAFT, world.polsek.username),
        (Status.DRAFT, Status.SUBMITTED, world.polsek.username),
    ]
    # The audit trail names the officer for both steps (the request's user, as for create then submit).
    history = RiskReport.history.order_by("history_id").values_list(
        "history_type", "status", "history_user_id"
    )
    assert list(history) == [("+", Status.DRAFT, world.polsek.pk), ("~", Status.SUBMITTED, world.polsek.pk)]
    # Answered from the objects in hand: field for field what a fresh read shows.
    assert client.get(f"{REPORTS}{body['id']}/").json() == body


def test_api_without_submit_still_creates_a_draft(world):
    response = _client(world.polsek).post(REPORTS, _payload(world.own[0], submit=False), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == Status.DRAFT
    assert len(response.json()["transitions"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": [{"indicator": "no_such_indicator", "flag": True}]}, "answers"),
        ({"answers": [{"indicator": "travel_minutes", "number": "-1"}]}, "answers"),
        ({"answers": [{"indicator": "split_camps", "number": "3"}]}, "answers"),
        (
            {
                "answers": [
                    {"indicator": "split_camps", "flag": True},
                    {"indicator": "split_camps", "flag": False},
                ]
            },
            "answers",
        ),
        ({"village_election": 999999}, "village_election"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
        ({"submit": "maybe"}, "submit"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_nothing_stored(world, change, field):
    response = _client(world.polsek).post(REPORTS, _payload(world.own[0], **change), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not RiskReport.objects.exists()
    assert not RiskReportTransition.objects.exists()
    assert not RiskReport.history.exists()


def test_inactive_indicator_is_refused_and_nothing_stored(world):
    RiskIndicator.objects.filter(code="split_camps").update(is_active=False)
    response = _client(world.polsek).post(REPORTS, _payload(world.own[0]), format="json")
    assert response.status_code == 400
    assert "answers" in response.json()["errors"]
    assert not RiskReport.objects.exists()


def test_foreign_village_is_refused_as_before_without_data(world):
    # As a plain create: a village outside the jurisdiction does not exist for the caller.
    response = _client(world.polsek).post(REPORTS, _payload(world.foreign), format="json")
    assert response.status_code == 400
    assert "village_election" in response.json()["errors"]
    assert not RiskReport.objects.exists()


@pytest.mark.parametrize("who", ["kabag", "pimpinan"])
def test_hq_cannot_create_and_submit(world, who):
    response = _client(getattr(world, who)).post(REPORTS, _payload(world.own[0]), format="json")
    assert response.status_code == 403
    assert not RiskReport.objects.exists()


def test_service_refuses_a_foreign_village(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        report_create(village_election=world.foreign, author=world.polsek, submit=True)
    assert not RiskReport.objects.exists()


def test_retry_with_the_same_key_returns_the_report_submitted_once(world):
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    responses = [
        client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json") for _ in range(3)
    ]

    # The first creates (201); the retries are replays of it (200, marked), writing nothing.
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None, "true", "true"]
    assert len({r.json()["id"] for r in responses}) == 1
    report = RiskReport.objects.get()
    assert report.status == Status.SUBMITTED
    assert _steps(report) == [
        ("", Status.DRAFT, world.polsek.pk),
        (Status.DRAFT, Status.SUBMITTED, world.polsek.pk),
    ]
    assert [r.json()["status"] for r in responses] == [Status.SUBMITTED] * 3
    assert responses[1].json() == responses[0].json()


def test_retry_after_a_verification_leaves_the_report_verified(world):
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    first = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json").json()
    report_verify(report=RiskReport.objects.get(pk=first["id"]), by=world.kabag)

    retry = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json")
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert (retry.json()["id"], retry.json()["status"]) == (first["id"], Status.VERIFIED)
    assert RiskReportTransition.objects.count() == 3


def test_late_retry_after_hq_returned_the_report_changes_nothing(world):
    """A phone's retry whose first answer was lost must not resubmit a returned report unchanged,
    nor overwrite the corrections the officer is making to it."""
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    first = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json").json()
    report = RiskReport.objects.get(pk=first["id"])
    report_return(report=report, by=world.kabag, reason="Lengkapi bukti.")
    report_update(
        report=report, by=world.polsek, narrative="Diperbaiki.", answers=partial_answers(split_camps=False)
    )

    retry = client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json")
    # A queued save of other content under that key: refused (422 in the API), nothing written.
    with pytest.raises(IdempotencyKeyReused):
        report_save(
            village_election=world.own[0],
            author=world.polsek,
            idempotency_key=uuid.UUID(key),
            narrative="Isi lama dari antrean.",
            answers=answers(split_camps=True),
            submit=True,
        )

    assert retry.status_code == 200 and retry.json()["status"] == Status.RETURNED
    assert retry.headers["Idempotent-Replayed"] == "true"
    report.refresh_from_db()
    assert (report.status, report.narrative) == (Status.RETURNED, "Diperbaiki.")
    assert list(report.answers.values_list("indicator__code", "flag")) == [("split_camps", False)]
    assert len(_steps(report)) == 3  # created, submitted, returned: nothing since


def test_submit_with_the_key_of_an_earlier_draft_submits_that_draft_once(world):
    client = _client(world.polsek)
    key = str(uuid.uuid4())
    draft = client.post(
        REPORTS, _payload(world.own[0], idempotency_key=key, submit=False), format="json"
    ).json()
    assert draft["status"] == Status.DRAFT

    submitted = [
        client.post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json") for _ in range(2)
    ]
    # The same content now asking for the submission submits the draft (200); its retry replays.
    assert [(r.status_code, r.json()["id"], r.json()["status"]) for r in submitted] == [
        (200, draft["id"], Status.SUBMITTED)
    ] * 2
    assert [r.headers.get("Idempotent-Replayed") for r in submitted] == [None, "true"]
    assert len(_steps(RiskReport.objects.get())) == 2


def test_another_authors_key_is_refused(world, make_user):
    from operations.roles import POLSEK

    colleague = make_user(POLSEK, unit=world.unit)
    key = str(uuid.uuid4())
    _client(world.polsek).post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json")
    response = _client(colleague).post(REPORTS, _payload(world.own[0], idempotency_key=key), format="json")
    assert response.status_code == 422
    assert "idempotency_key" in response.json()["errors"]
    assert RiskReport.objects.count() == 1


def _all_answers(count: int) -> list[dict]:
    """Yes or 3 to every indicator, but the DPT and the committee as the village records them."""
    indicators = RiskIndicator.objects.filter(is_active=True).order_by("order", "code")[:count]
    recorded = {a["indicator"]: a for a in api_as_recorded()}
    return [
        recorded.get(i.code)
        or (
            {"indicator": i.code, "flag": True}
            if i.kind == RiskIndicator.Kind.BOOLEAN
            else {"indicator": i.code, "number": "3"}
        )
        for i in indicators
    ]


def _queries_of_one_request(world, count: int) -> int:
    # A catalogue of ``count`` active indicators, all answered (submission needs every one).
    kept = [i.pk for i in RiskIndicator.objects.order_by("order", "code")[:count]]
    RiskIndicator.objects.update(is_active=False)
    RiskIndicator.objects.filter(pk__in=kept).update(is_active=True)
    # Token authentication, as the phones and the benchmark use, with a fresh client and user.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {person_token_create(user=world.polsek).key}")
    payload = {"village_election": world.own[0].pk, "answers": _all_answers(count), "submit": True}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(REPORTS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], len(response.json()["answers"])) == (Status.SUBMITTED, count)
    PersonToken.objects.filter(user=world.polsek).delete()
    return len(captured)


def test_one_request_queries_do_not_grow_with_the_answers(world):
    assert RiskIndicator.objects.filter(is_active=True).count() == 13
    # The webhook endpoint list is read once, then cached: the first run is not charged for it.
    subscribed_endpoint_ids("report.submitted")
    few, many = _queries_of_one_request(world, 3), _queries_of_one_request(world, 13)
    assert few == many, f"3 answers: {few} queries, 13 answers: {many}"
    assert many <= CREATE_SUBMITTED_BUDGET, f"create with submit ran {many} queries"


def test_phone_form_submits_a_new_report_in_one_step(client, world):
    client.force_login(world.polsek)
    data = {
        "village_election": world.own[0].pk,
        "idempotency_key": str(uuid.uuid4()),
        "narrative": "Situasi memanas.",
        **form_answers(value_former_head_strong_rival="yes", value_travel_minutes="30"),
        "action": "submit",
    }
    response = client.post(reverse("report-create"), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    report = RiskReport.objects.get()
    assert response.json()["status"] == report.status == Status.SUBMITTED
    assert _steps(report) == [
        ("", Status.DRAFT, world.polsek.pk),
        (Status.DRAFT, Status.SUBMITTED, world.polsek.pk),
    ]


def _at_once(count: int, attempt) -> list[object]:
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(attempt())
        except Exception as exc:  # whatever came back is looked at below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("draft_first", [False, True], ids=["new", "draft-saved-first"])
def test_retries_racing_each_other_submit_once(make_user, draft_first):
    world = build_world(make_user)
    key = uuid.uuid4()
    fields = {"village_election": world.own[0], "author": world.polsek, "idempotency_key": key}
    if draft_first:
        report_create(**fields, answers=answers(split_camps=True))

    outcomes = _at_once(3, lambda: report_create(**fields, answers=answers(split_camps=True), submit=True))

    assert all(isinstance(o, RiskReport) for o in outcomes), outcomes
    report = RiskReport.objects.get()
    assert {o.pk for o in outcomes} == {report.pk}
    assert report.status == Status.SUBMITTED
    assert _steps(report) == [
        ("", Status.DRAFT, world.polsek.pk),
        (Status.DRAFT, Status.SUBMITTED, world.polsek.pk),
    ]

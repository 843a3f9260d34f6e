"""Queries of the report API's write path stay flat: a report with 13 answers costs what one with 3 does.

Issue #6: submissions under load were bound by the database round trips per answer (94 queries to
create a report with 13 answers). The budgets here pin the fixed cost through the real stack:
token authentication, the permission class, the input serializer, the service and the response.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from operations.models import PersonToken, RiskIndicator, RiskReport, RiskReportAnswer
from operations.services.tokens import person_token_create
from tests.operations.risk_setup import api_as_recorded, build_world
from webhooks.services import subscribed_endpoint_ids

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/risk-reports/"
# Both counts include the transaction's SAVEPOINT and RELEASE here (BEGIN and COMMIT in production).
# Create: the token with its user and roles, the jurisdiction, the village, the indicators, the
# village's recorded facts (answers must agree with them), then the report, its history row, the
# answers, their history rows and the transition; the answer is built from the objects in hand.
CREATE_BUDGET = 12
# Submit: the token with its user and roles, the jurisdiction, the visibility check, the locked
# row, the catalogue's unanswered indicators (submission needs all answered), the stored answers to
# the facts with the village's record of now, the update, its history row and the transition, then
# the answers and the transitions.
SUBMIT_BUDGET = 13


def _answers(count: int) -> list[dict]:
    """Answers to a catalogue of ``count`` active indicators (the rest deactivated): a submission
    needs every active indicator answered."""
    kept = [i.pk for i in RiskIndicator.objects.order_by("order", "code")[:count]]
    RiskIndicator.objects.update(is_active=False)
    RiskIndicator.objects.filter(pk__in=kept).update(is_active=True)
    indicators = RiskIndicator.objects.filter(is_active=True).order_by("order", "code")
    # The DPT and the committee as the village records them; yes or 3 to the others.
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


def _create_and_submit(world, count: int) -> tuple[int, int]:
    # A fresh client per call, authenticated by token as the phones and the benchmark are:
    # nothing from an earlier request is cached on the user object.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {person_token_create(user=world.polsek).key}")
    payload = {"village_election": world.own[0].pk, "narrative": "Uji", "answers": _answers(count)}
    with CaptureQueriesContext(connection) as create:
        response = client.post(REPORTS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["answers"]) == count
    with CaptureQueriesContext(connection) as submit:
        response = client.post(f"{REPORTS}{response.json()['id']}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == RiskReport.Status.SUBMITTED
    PersonToken.objects.filter(user=world.polsek).delete()
    return len(create), len(submit)


def test_create_and_submit_queries_do_not_grow_with_the_answers(make_user):
    world = build_world(make_user)
    assert RiskIndicator.objects.count() == 13
    # The webhook endpoint list is read once, then cached: the first run is not charged for it.
    subscribed_endpoint_ids("report.submitted")
    few = _create_and_submit(world, 3)
    many = _create_and_submit(world, 13)
    assert few == many, f"3 answers: {few} queries, 13 answers: {many} (create, submit)"
    create, submit = many
    assert create <= CREATE_BUDGET, f"create ran {create} queries"
    assert submit <= SUBMIT_BUDGET, f"submit ran {submit} queries"


def test_bulk_written_answers_keep_their_history(make_user):
    world = build_world(make_user)
    _create_and_submit(world, 13)
    report = RiskReport.objects.get()
    assert report.answers.count() == 13
    history = RiskReportAnswer.history.filter(report_id=report.pk)
    assert history.count() == 13
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    assert set(history.values_list("history_user_id", flat=True)) == {world.polsek.pk}


def test_create_and_submit_answer_what_a_fresh_read_shows(make_user):
    # The create answer is built from the objects in hand, the submit answer from the locked row:
    # both must match the stored report field for field.
    world = build_world(make_user)
    client = APIClient()
    client.force_authenticate(world.polsek)
    payload = {"village_election": world.own[0].pk, "narrative": "Uji", "answers": _answers(13)}
    created = client.post(REPORTS, payload, format="json").json()
    assert client.get(f"{REPORTS}{created['id']}/").json() == created
    submitted = client.post(f"{REPORTS}{created['id']}/submit/").json()
    assert client.get(f"{REPORTS}{created['id']}/").json() == submitted

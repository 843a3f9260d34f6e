"""A key sent again is a replay only when the request is the same one: a phone retrying over a poor
signal sends the very same body. The same key with anything else changed (a severity raised to 3, a
corrected position, another reason) is refused (422 in the API), never answered with the first row
as if the new request had been stored."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from election_day.models import CheckIn, Incident, IncidentCategory, ProgressStep
from election_day.services.checkins import Position, checkin_record
from election_day.services.common import KeyReused
from election_day.services.incidents import incident_report
from election_day.services.progress import progress_record
from tests.election_day.world import build

pytestmark = pytest.mark.django_db

SENT_AT = timezone.now() - timedelta(minutes=3)


@pytest.fixture
def w(make_user):
    return build(make_user)


def _incident(w, key, **changed):
    sent = {
        "operation": w.operation,
        "village_election": w.own[0],
        "category": w.category,
        "severity": 1,
        "description": "Surat suara terlambat tiba",
        "client_time": SENT_AT,
        **changed,
    }
    return incident_report(by=w.member_user, idempotency_key=key, **sent)


@pytest.mark.parametrize(
    "changed",
    [
        {"severity": 3},
        {"description": "Massa bentrok di TPS 1"},
        {"category": "logistik"},
        {"client_time": SENT_AT + timedelta(seconds=1)},
    ],
    ids=lambda changed: next(iter(changed)),
)
def test_an_incident_key_sent_with_another_report_is_refused(w, changed):
    key = uuid.uuid4()
    first, created = _incident(w, key)
    assert created
    if changed.get("category"):
        changed = {"category": IncidentCategory.objects.get(code=changed["category"])}
    with pytest.raises(KeyReused, match="sudah dipakai"):
        _incident(w, key, **changed)
    stored = Incident.objects.get()
    assert (stored.severity, stored.description) == (1, "Surat suara terlambat tiba")


def test_an_incident_sent_again_unchanged_is_the_first_one(w):
    key = uuid.uuid4()
    first, _ = _incident(w, key)
    again, created = _incident(w, key, description="  Surat suara terlambat tiba ")  # as stored: stripped
    assert (again.pk, created) == (first.pk, False)


AT_THE_POST = Position(Decimal("-6.1"), Decimal("106.3"), 20)


def _checkin(w, key, position=AT_THE_POST, client_time=SENT_AT):
    return checkin_record(
        assignment=w.member,
        kind="arrived",
        by=w.member_user,
        idempotency_key=key,
        position=position,
        client_time=client_time,
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"position": Position(Decimal("-6.1"), Decimal("106.3"), 50)},
        {"position": Position(Decimal("-6.2"), Decimal("106.3"), 20)},
        {"position": None},
        {"client_time": SENT_AT - timedelta(minutes=1)},
    ],
    ids=["accuracy", "latitude", "no position", "client time"],
)
def test_a_check_in_key_sent_with_another_position_or_time_is_refused(w, changed):
    key = uuid.uuid4()
    _checkin(w, key)
    with pytest.raises(KeyReused):
        _checkin(w, key, **changed)
    assert CheckIn.objects.get().accuracy_m == 20


def test_a_check_in_sent_again_unchanged_is_the_first_one(w):
    key = uuid.uuid4()
    first, _ = _checkin(w, key)
    again, created = _checkin(w, key, position=Position(Decimal("-6.100000"), Decimal("106.300000"), 20))
    assert (again.pk, created) == (first.pk, False)


def _step(w, key, reason="Hujan deras", stage="postponed"):
    return progress_record(
        operation=w.operation,
        village_election=w.own[0],
        stage=stage,
        reason=reason,
        by=w.leader_user,
        idempotency_key=key,
        client_time=SENT_AT,
    )


def test_a_step_key_sent_with_another_reason_is_refused_and_unchanged_is_the_first(w):
    key = uuid.uuid4()
    first, _ = _step(w, key)
    with pytest.raises(KeyReused):
        _step(w, key, reason="Banjir setinggi lutut")
    again, created = _step(w, key, reason=" Hujan deras ")
    assert (again.pk, created) == (first.pk, False)
    assert ProgressStep.objects.get().reason == "Hujan deras"


def test_api_answers_422_for_a_key_sent_with_a_raised_severity(api_client, w):
    api_client.force_authenticate(w.member_user)
    body = {
        "operation": w.operation.pk,
        "village_election": w.own[0].pk,
        "category": "logistik",
        "severity": 1,
        "description": "Surat suara terlambat tiba",
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    first = api_client.post("/api/v1/hari-h/incidents/", body, format="json", **headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = api_client.post("/api/v1/hari-h/incidents/", body, format="json", **headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"  # as reports answer
    raised = api_client.post("/api/v1/hari-h/incidents/", {**body, "severity": 3}, format="json", **headers)
    assert raised.status_code == 422, raised.content
    assert Incident.objects.get().severity == 1

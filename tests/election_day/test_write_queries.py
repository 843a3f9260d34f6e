"""The field writes cost a fixed, small number of queries: the same for the first report of a
village as for the hundredth, and never one per earlier check-in, step or photo.

Counted inside the test's transaction, so the service's own transaction shows as SAVEPOINT and
RELEASE (two of the counts). These are the writes the Posko load figures are made of
(bench/bench_election_day_load.py): a query saved here is a round trip saved per request.
"""

import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from election_day.models import CheckIn
from election_day.photos import process_photo
from election_day.services.checkins import checkin_record
from election_day.services.incidents import incident_report
from election_day.services.progress import progress_record
from operations.models import Duty
from operations.permissions import is_kabag_ops
from operations.services.assignments import assignment_create
from tests.election_day.world import build
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
# SAVEPOINT, the posting locked with its stage window, its check-ins (and the key), then the
# check-in, its history row and the board's counters (one statement on PostgreSQL: a data-modifying
# WITH through pilkades.sqlwrites; three elsewhere), RELEASE.
CHECKIN_QUERIES = 4 + (1 if POSTGRESQL else 3)
# SAVEPOINT, the operation with the village (read inside the transaction: the API sends ids), the
# village's progress row locked, then the step, its history row, the village's stage and the
# board's counters (one statement on PostgreSQL, four elsewhere), RELEASE; an officer adds one (is
# he posted there).
PROGRESS_QUERIES = 4 + (1 if POSTGRESQL else 4)
# SAVEPOINT, is the reporter posted there, the incident and its history row, the photo and its
# history row, the board version, RELEASE.
INCIDENT_QUERIES = 8


@pytest.fixture
def w(make_user):
    world = build(make_user)
    # A request knows its user's roles before the service runs (the API's token lookup reads them
    # in its one query; a session request on its first role check): not counted here.
    for user in (world.kabag, world.leader_user, world.member_user, world.outsider_user):
        is_kabag_ops(user)
    return world


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def arrive(assignment, by, kind=CheckIn.Kind.ARRIVED):
    return lambda: checkin_record(assignment=assignment, kind=kind, by=by, idempotency_key=uuid.uuid4())


def test_a_check_in_costs_the_same_queries_however_many_were_recorded(w):
    # Ten more officers on the same team, all checked in before the measured ones.
    for _ in range(10):
        extra = assignment_create(
            operation=w.operation,
            officer=OfficerFactory(unit=w.polsek),
            duty=Duty.VILLAGE_GUARD,
            village_election=w.own[0],
            by=w.kabag,
        )
        checkin_record(assignment=extra, kind=CheckIn.Kind.ARRIVED, by=w.kabag, idempotency_key=uuid.uuid4())

    assert count(arrive(w.member, w.member_user)) == CHECKIN_QUERIES  # his own posting
    assert count(arrive(w.member, w.member_user, CheckIn.Kind.FINISHED)) == CHECKIN_QUERIES
    assert count(arrive(w.outsider, w.kabag)) == CHECKIN_QUERIES  # the Posko, for a radio report
    # A team leader for his team: one more, the team that tells who leads it.
    assert count(arrive(w.leader, w.leader_user)) == CHECKIN_QUERIES
    CheckIn.objects.filter(assignment=w.member).delete()
    assert count(arrive(w.member, w.leader_user)) == CHECKIN_QUERIES + 1


def test_a_progress_step_costs_the_same_queries_at_every_stage(w):
    def step(stage, by):
        return lambda: progress_record(
            operation=w.operation,
            village_election=w.own[0],
            stage=stage,
            by=by,
            idempotency_key=uuid.uuid4(),
        )

    progress_record(operation=w.operation, village_election=w.own[0], stage="tps_open", by=w.kabag)
    assert count(step("voting", w.kabag)) == PROGRESS_QUERIES
    assert count(step("counting", w.kabag)) == PROGRESS_QUERIES
    assert count(step("announced", w.leader_user)) == PROGRESS_QUERIES + 1
    assert count(step("escort", w.leader_user)) == PROGRESS_QUERIES + 1


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 90, 0)).save(out, format="JPEG")
    out.seek(0)
    return process_photo(out, max_bytes=1024 * 1024, max_side=1600)


def test_an_incident_with_a_photo_costs_a_fixed_number_of_queries(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def report():
        return lambda: incident_report(
            operation=w.operation,
            village_election=w.own[0],
            category=w.category,
            severity=2,
            description="Massa berkumpul di depan TPS 1",
            by=w.leader_user,
            photos=[_photo()],
            idempotency_key=uuid.uuid4(),
        )

    assert count(report()) == INCIDENT_QUERIES
    assert count(report()) == INCIDENT_QUERIES


def test_through_the_api_a_write_reads_nothing_the_service_does_not(w, api_client):
    """The request's own checks add no read of the posting, operation or village: the service
    reads them (locked) anyway. The user is authenticated without a token here (not counted)."""
    api_client.force_authenticate(w.member_user)
    with CaptureQueriesContext(connection) as ctx:
        answer = api_client.post(
            "/api/v1/hari-h/checkins/", {"assignment": w.member.pk, "kind": "arrived"}, format="json"
        )
    assert answer.status_code == 201, answer.content
    assert answer.json()["officer_name"] == w.member.officer.name
    assert len(ctx.captured_queries) == CHECKIN_QUERIES

    api_client.force_authenticate(w.kabag)
    progress_record(operation=w.operation, village_election=w.own[0], stage="tps_open", by=w.kabag)
    body = {"operation": w.operation.pk, "village_election": w.own[0].pk, "stage": "voting"}
    with CaptureQueriesContext(connection) as ctx:
        answer = api_client.post("/api/v1/hari-h/progress/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert len(ctx.captured_queries) == PROGRESS_QUERIES


def test_the_api_names_a_posting_operation_or_village_that_does_not_exist(w, api_client):
    api_client.force_authenticate(w.kabag)
    answer = api_client.post(
        "/api/v1/hari-h/checkins/", {"assignment": 987654, "kind": "arrived"}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert "987654" in answer.json()["errors"]["assignment"][0]
    body = {"operation": 987654, "village_election": 987655, "stage": "tps_open"}
    answer = api_client.post("/api/v1/hari-h/progress/", body, format="json")
    assert answer.status_code == 400
    assert "987654" in answer.json()["errors"]["operation"][0]
    body = {"operation": w.operation.pk, "village_election": 987655, "stage": "tps_open"}
    answer = api_client.post("/api/v1/hari-h/progress/", body, format="json")
    assert answer.status_code == 400
    assert "987655" in answer.json()["errors"]["village_election"][0]


def test_the_missing_ids_are_named_in_the_clients_language(w, api_client):
    api_client.force_authenticate(w.kabag)
    answer = api_client.post(
        "/api/v1/hari-h/checkins/",
        {"assignment": 987654, "kind": "arrived"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.json()["errors"]["assignment"] == ["Assignment 987654 not found."]
    body = {"operation": 987654, "village_election": 987655, "stage": "tps_open"}
    answer = api_client.post("/api/v1/hari-h/progress/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.json()["errors"] == {
        "operation": ["Operation 987654 not found."],
        "village_election": ["Village election 987655 not found."],
    }

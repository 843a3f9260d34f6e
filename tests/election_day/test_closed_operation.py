"""A closed operation takes no more writes: not the Hari-H ones, not triage, not its postings, and
it cannot be reopened or closed by editing its status (closing writes the final report)."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from election_day.models import Incident
from election_day.selectors import my_assignments
from election_day.services.incidents import (
    incident_acknowledge,
    incident_add_photos,
    incident_report,
    incident_resolve,
)
from election_day.services.lapsit import operation_close
from operations.models import AllocationProposal, Assignment, Duty, Operation
from operations.services.assignments import assignment_create, assignment_delete, team_leader_set
from operations.services.proposals import proposal_create
from operations.services.setup import operation_save
from pilkades.errors import WrongState
from tests.election_day.test_services_progress_incidents import check, jpeg_bytes
from tests.election_day.world import build
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def _incident(w):
    incident, _created = incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=1,
        description="Massa berkumpul",
        by=w.member_user,
        idempotency_key=uuid.uuid4(),
    )
    return incident


@pytest.fixture
def closed(w):
    """The operation with an incident of each open state, then closed."""
    new, acknowledged = _incident(w), _incident(w)
    incident_acknowledge(incident=acknowledged, by=w.kabag)
    operation_close(operation=w.operation, by=w.kabag)
    return new, acknowledged


@pytest.mark.parametrize(
    "write",
    [
        lambda w, new, ack: incident_acknowledge(incident=new, by=w.kabag),
        lambda w, new, ack: incident_resolve(incident=ack, note="selesai", by=w.kabag),
        lambda w, new, ack: incident_add_photos(incident=new, photos=[check(jpeg_bytes())], by=w.member_user),
        lambda w, new, ack: assignment_create(
            operation=w.operation,
            officer=OfficerFactory(unit=w.polsek),
            duty=Duty.VILLAGE_GUARD,
            village_election=w.own[1],
            by=w.kabag,
        ),
        lambda w, new, ack: assignment_delete(assignment=w.member, by=w.kabag),
        lambda w, new, ack: team_leader_set(
            operation=w.operation,
            stage=w.member.stage,
            village_election=w.own[0],
            officer=w.member.officer,
            by=w.kabag,
        ),
    ],
    ids=["acknowledge", "resolve", "add photos", "post an officer", "release an officer", "team leader"],
)
def test_a_closed_operation_refuses_every_write_as_a_state_conflict(w, closed, write):
    new, acknowledged = closed
    postings = set(Assignment.objects.values_list("pk", "officer_id", "is_team_leader"))
    with pytest.raises(WrongState, match="sudah ditutup"):
        write(w, new, acknowledged)
    assert set(Assignment.objects.values_list("pk", "officer_id", "is_team_leader")) == postings
    assert list(Incident.objects.order_by("pk").values_list("state", flat=True)) == ["new", "acknowledged"]
    assert not new.photos.exists()


def test_a_closed_operation_is_not_reopened_or_edited(w, closed):
    operation = Operation.objects.get(pk=w.operation.pk)
    operation.status = Operation.Status.ACTIVE
    with pytest.raises(ValidationError, match="sudah ditutup"):
        operation_save(operation=operation)
    operation = Operation.objects.get(pk=w.operation.pk)
    operation.name = "Nama lain"
    with pytest.raises(ValidationError, match="sudah ditutup"):
        operation_save(operation=operation)
    assert Operation.objects.get(pk=w.operation.pk).status == Operation.Status.CLOSED


def test_an_operation_is_closed_only_by_closing_it(w):
    operation = Operation.objects.get(pk=w.operation.pk)
    operation.status = Operation.Status.CLOSED
    with pytest.raises(ValidationError) as refused:
        operation_save(operation=operation)
    assert "Tutup operasi" in " ".join(refused.value.message_dict["status"])
    assert Operation.objects.get(pk=w.operation.pk).status == Operation.Status.ACTIVE


def test_api_answers_writes_to_a_closed_operation_409_in_the_one_error_shape(api_client, w, closed):
    new, acknowledged = closed
    api_client.force_authenticate(w.kabag)
    for path, body in [
        (f"/api/v1/hari-h/incidents/{new.pk}/acknowledge/", {}),
        (f"/api/v1/hari-h/incidents/{acknowledged.pk}/resolve/", {"note": "selesai"}),
        (f"/api/v1/operations/{w.operation.pk}/close/", {}),
    ]:
        answer = api_client.post(path, body, format="json")
        assert answer.status_code == 409, (path, answer.content)
        body = answer.json()
        assert "sudah ditutup" in body["detail"]
        assert body["errors"]["non_field_errors"] == [body["detail"]]
    reopened = api_client.patch(f"/api/v1/operations/{w.operation.pk}/", {"status": "active"}, format="json")
    assert reopened.status_code == 400
    assert Operation.objects.get(pk=w.operation.pk).status == Operation.Status.CLOSED


def test_api_triage_conflict_between_two_hq_users_has_the_one_error_shape(api_client, w):
    incident = _incident(w)
    incident_acknowledge(incident=incident, by=w.kabag2)
    api_client.force_authenticate(w.kabag)
    answer = api_client.post(f"/api/v1/hari-h/incidents/{incident.pk}/acknowledge/", {}, format="json")
    assert answer.status_code == 409
    body = answer.json()
    assert "sudah diterima oleh" in body["detail"]
    assert body["errors"]["non_field_errors"] == [body["detail"]]


def test_an_officer_sees_his_postings_while_the_operation_is_planned_not_once_closed(w):
    w.operation.status = Operation.Status.PLANNED
    w.operation.save(update_fields=["status"])
    assert list(my_assignments(user=w.member_user)) != []
    assert w.member in list(my_assignments(user=w.member_user))
    operation_close(operation=w.operation, by=w.kabag)
    assert list(my_assignments(user=w.member_user)) == []


def test_only_hq_reports_an_incident_as_a_posko_call(w):
    with pytest.raises(ValidationError) as refused:
        incident_report(
            operation=w.operation,
            village_election=w.own[0],
            category=w.category,
            severity=1,
            description="Telepon masuk",
            source=Incident.Source.POSKO,
            by=w.member_user,
            idempotency_key=uuid.uuid4(),
        )
    assert "source" in refused.value.message_dict
    incident, _ = incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=1,
        description="Telepon masuk",
        source=Incident.Source.POSKO,
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )
    assert incident.source == Incident.Source.POSKO


def test_no_proposal_is_computed_for_a_closed_operation_and_its_name_is_the_stored_one(w, closed):
    with pytest.raises(WrongState, match=w.operation.name):
        proposal_create(operation=Operation.objects.get(pk=w.operation.pk), by=w.kabag)
    assert not AllocationProposal.objects.exists()
    renamed = Operation.objects.get(pk=w.operation.pk)
    renamed.name = "Nama lain"
    with pytest.raises(ValidationError, match=f"Operasi {w.operation.name} sudah ditutup"):
        operation_save(operation=renamed)

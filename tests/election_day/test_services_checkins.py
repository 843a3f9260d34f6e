import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from election_day.models import BoardVersion, CheckIn, StageWindow
from election_day.services.checkins import Position, checkin_record
from election_day.services.common import KeyReused
from operations.models import Operation
from tests.election_day.world import build

pytestmark = pytest.mark.django_db

ARRIVED, FINISHED = CheckIn.Kind.ARRIVED, CheckIn.Kind.FINISHED


@pytest.fixture
def w(make_user):
    return build(make_user)


def arrive(assignment, by, key=None, **kw):
    return checkin_record(
        assignment=assignment, kind=ARRIVED, by=by, idempotency_key=key or uuid.uuid4(), **kw
    )


def test_officer_checks_in_at_his_post_with_position_and_distance(w):
    checkin, created = arrive(
        w.member, w.member_user, position=Position(Decimal("-6.101"), Decimal("106.300"), 12)
    )
    assert created
    assert checkin.officer_id == w.member.officer_id
    assert checkin.village_election_id == w.own[0].pk
    assert 100 <= checkin.distance_m <= 125  # 0.001° of latitude ≈ 111 m
    assert BoardVersion.objects.get(operation=w.operation).version == 1


def test_position_is_never_required(w):
    checkin, _ = arrive(w.member, w.member_user)
    assert checkin.latitude is None and checkin.distance_m is None


def test_team_leader_checks_in_for_his_team(w):
    checkin, _ = arrive(w.member, w.leader_user)
    assert checkin.recorded_by == w.leader_user


def test_check_in_for_someone_elses_assignment_is_refused(w):
    with pytest.raises(PermissionDenied):
        arrive(w.leader, w.outsider_user)
    with pytest.raises(PermissionDenied):
        arrive(w.leader, w.member_user)  # a team member is not the leader
    assert not CheckIn.objects.exists()


def test_second_arrival_is_refused_naming_the_first(w):
    arrive(w.member, w.member_user)
    with pytest.raises(ValidationError) as exc:
        arrive(w.member, w.leader_user)
    assert "sudah tercatat" in str(exc.value)
    assert CheckIn.objects.count() == 1


def test_database_refuses_a_second_arrival_even_past_the_service(w):
    first, _ = arrive(w.member, w.member_user)
    with pytest.raises(IntegrityError):
        CheckIn.objects.create(
            assignment=w.member,
            operation=w.operation,
            officer=w.member.officer,
            stage="voting",
            kind=ARRIVED,
            recorded_by=w.member_user,
            idempotency_key=uuid.uuid4(),
        )


def test_stage_not_started_is_refused(make_user):
    w = build(make_user, stage_started_minutes_ago=-30)
    with pytest.raises(ValidationError) as exc:
        arrive(w.member, w.member_user)
    assert "belum dimulai" in str(exc.value)


def test_stage_without_a_schedule_is_refused(w):
    StageWindow.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        arrive(w.member, w.member_user)
    assert "belum ditetapkan" in str(exc.value)


def test_closed_stage_is_refused(w):
    StageWindow.objects.update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as exc:
        arrive(w.member, w.member_user)
    assert "sudah ditutup" in str(exc.value)


def test_closed_operation_is_refused(w):
    Operation.objects.filter(pk=w.operation.pk).update(status=Operation.Status.CLOSED)
    with pytest.raises(ValidationError):
        arrive(w.member, w.member_user)


def test_finish_needs_an_arrival_first(w):
    with pytest.raises(ValidationError) as exc:
        checkin_record(assignment=w.member, kind=FINISHED, by=w.member_user, idempotency_key=uuid.uuid4())
    assert "tiba lebih dulu" in str(exc.value)
    arrive(w.member, w.member_user)
    _, created = checkin_record(
        assignment=w.member, kind=FINISHED, by=w.member_user, idempotency_key=uuid.uuid4()
    )
    assert created


def test_replayed_key_returns_the_first_check_in(w):
    key = uuid.uuid4()
    first, created = arrive(w.member, w.member_user, key)
    again, created_again = arrive(w.member, w.member_user, key)
    assert created and not created_again and again.pk == first.pk
    assert CheckIn.objects.count() == 1


def test_same_key_for_another_request_is_refused(w):
    key = uuid.uuid4()
    arrive(w.member, w.member_user, key)
    with pytest.raises(KeyReused):
        checkin_record(assignment=w.member, kind=FINISHED, by=w.member_user, idempotency_key=key)


def test_position_out_of_range_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        arrive(w.member, w.member_user, position=Position(Decimal("-91"), Decimal("106"), None))
    assert "latitude" in exc.value.message_dict

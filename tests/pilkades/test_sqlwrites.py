"""pilkades.sqlwrites stores a row and its history row as Model.save() and simple_history would.

Election day's check-ins and steps go through it (the ORM's save and simple_history's receiver
were two thirds of their CPU): what the Posko, the audit trail and the admin read must not change.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from election_day.models import CheckIn, ProgressStage, VillageProgress
from pilkades import sqlwrites
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def _checkin(w, **overrides) -> CheckIn:
    values = {
        "assignment": w.member,
        "operation": w.operation,
        "officer": w.member.officer,
        "stage": w.member.stage,
        "village_election": w.member.village_election,
        "kind": CheckIn.Kind.ARRIVED,
        "client_time": timezone.now() - timedelta(minutes=3),
        "latitude": Decimal("-6.123456"),
        "longitude": Decimal("106.654321"),
        "accuracy_m": 12,
        "distance_m": 340,
        "recorded_by": w.member_user,
        "idempotency_key": uuid.uuid4(),
    }
    return CheckIn(**(values | overrides))


def _tracked(history_row) -> dict:
    return {
        field.attname: getattr(history_row, field.attname) for field in CheckIn.history.model.tracked_fields
    }


def _row(checkin) -> dict:
    return {field.attname: getattr(checkin, field.attname) for field in CheckIn._meta.concrete_fields}


def test_the_row_is_stored_as_save_stores_it(w):
    before = timezone.now()
    stored = sqlwrites.insert(_checkin(w), history_user=w.member_user)

    assert stored.pk is not None and not stored._state.adding
    assert before <= stored.recorded_at <= timezone.now()  # auto_now_add ran, on the instance too
    read = CheckIn.objects.get(pk=stored.pk)
    for field in CheckIn._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name


def test_the_history_row_equals_the_one_simple_history_writes(w):
    by_orm = _checkin(w, kind=CheckIn.Kind.FINISHED)
    by_orm._history_user = w.member_user
    by_orm.save()
    fast = sqlwrites.insert(_checkin(w), history_user=w.member_user)

    orm_history = CheckIn.history.get(id=by_orm.pk)
    fast_history = CheckIn.history.get(id=fast.pk)
    assert fast_history.history_type == orm_history.history_type == "+"
    assert fast_history.history_user_id == orm_history.history_user_id == w.member_user.pk
    assert fast_history.history_change_reason is None
    assert fast.recorded_at <= fast_history.history_date <= timezone.now()
    # Each history row is a copy of its own row, every tracked field.
    assert _tracked(orm_history) == _row(by_orm)
    assert _tracked(fast_history) == _row(fast)


def test_no_history_row_when_history_is_turned_off(w, settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    stored = sqlwrites.insert(_checkin(w), history_user=w.member_user)
    assert CheckIn.objects.filter(pk=stored.pk).exists()
    assert not CheckIn.history.filter(id=stored.pk).exists()


@pytest.mark.parametrize("signal", [pre_save, post_save])
def test_a_model_with_a_save_receiver_is_refused(w, signal):
    def receiver(**kwargs):
        pass

    signal.connect(receiver, sender=CheckIn)
    try:
        with pytest.raises(ImproperlyConfigured, match="save receiver"):
            sqlwrites.insert(_checkin(w), history_user=w.member_user)
    finally:
        signal.disconnect(receiver, sender=CheckIn)
    assert not CheckIn.objects.exists()


def test_update_writes_only_the_named_fields(w):
    earlier = timezone.now() - timedelta(hours=1)
    progress = VillageProgress.objects.create(
        operation=w.operation, village_election=w.own[0], stage=ProgressStage.TPS_OPEN, updated_at=earlier
    )
    progress.stage = ProgressStage.VOTING
    progress.updated_at = timezone.now()
    sqlwrites.update(progress, ["stage"])

    progress.refresh_from_db()
    assert progress.stage == ProgressStage.VOTING
    assert progress.updated_at == earlier


def test_update_refuses_a_model_that_keeps_a_history(w):
    stored = sqlwrites.insert(_checkin(w), history_user=w.member_user)
    stored.kind = CheckIn.Kind.FINISHED
    with pytest.raises(ImproperlyConfigured, match="history"):
        sqlwrites.update(stored, ["kind"])
    assert CheckIn.objects.get(pk=stored.pk).kind == CheckIn.Kind.ARRIVED


def test_the_statements_that_complete_a_write_run_with_it(w):
    """``then`` writes what changes with the row (here the village's stage, from the new row's own
    server time): on PostgreSQL in the insert's one statement, elsewhere right after it."""
    earlier = timezone.now() - timedelta(hours=1)
    progress = VillageProgress.objects.create(
        operation=w.operation, village_election=w.member.village_election, stage="", updated_at=earlier
    )

    def then(checkin):
        progress.stage = ProgressStage.TPS_OPEN
        progress.updated_at = checkin.recorded_at  # set by auto_now_add before ``then`` is called
        return [sqlwrites.update_statement(progress, ["stage", "updated_at"])]

    with CaptureQueriesContext(connection) as ctx:
        stored = sqlwrites.insert(_checkin(w), history_user=w.member_user, then=then)

    progress.refresh_from_db()
    assert progress.stage == ProgressStage.TPS_OPEN
    assert progress.updated_at == stored.recorded_at == CheckIn.objects.get(pk=stored.pk).recorded_at
    assert CheckIn.history.filter(id=stored.pk, history_type="+").count() == 1
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 3)


def test_a_failing_statement_of_the_write_stores_nothing_of_it(w):
    """One write: when a completing statement fails, the row and its history row are not kept."""
    broken = sqlwrites.Statement("UPDATE no_such_table SET x = %s", [1])
    with pytest.raises(DatabaseError), transaction.atomic():
        sqlwrites.insert(_checkin(w), history_user=w.member_user, then=lambda _checkin: [broken])
    assert not CheckIn.objects.exists()
    assert not CheckIn.history.exists()

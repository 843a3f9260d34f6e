"""Undoing a removal from the board (issue 18): the posting comes back through assignment_create,
with its history, or a clear refusal when the officer was taken since."""

import pytest
from django.core.exceptions import ValidationError

from operations.models import Assignment, Duty
from operations.services.assignments import assignment_create, assignment_delete, assignment_restore
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _removed(world, note="Pos TPS 2"):
    (officer,) = officers(world.polres, 1)
    assignment = assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        note=note,
        by=world.kabag,
    )
    removal = assignment_delete(assignment=assignment, by=world.kabag)
    return officer, removal


def test_delete_returns_the_removal_history_row(world):
    officer, removal = _removed(world)

    assert removal.history_type == "-"
    assert removal.officer_id == officer.pk
    assert removal.history_user == world.kabag


def test_restore_recreates_the_posting_with_history(world):
    officer, removal = _removed(world)

    restored = assignment_restore(removal_id=removal.history_id, by=world.kabag)

    assert (restored.officer, restored.village_election, restored.duty, restored.note) == (
        officer,
        world.own[0],
        Duty.VILLAGE_GUARD,
        "Pos TPS 2",
    )
    trail = list(
        Assignment.history.filter(officer=officer)
        .order_by("history_date", "history_id")
        .values_list("history_type", "history_user")
    )
    assert trail == [("+", world.kabag.pk), ("-", world.kabag.pk), ("+", world.kabag.pk)]
    standing = world.operation.standings.get(village_election=world.own[0])
    assert standing.assigned_personnel == 1


def test_restore_after_someone_else_took_the_officer_names_where_he_is(world):
    officer, removal = _removed(world)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[1],
        by=world.kabag,
    )

    with pytest.raises(ValidationError) as exc:
        assignment_restore(removal_id=removal.history_id, by=world.kabag)

    message = " ".join(exc.value.messages)
    assert "sudah ditugaskan" in message
    assert world.own[1].desa.name in message
    assert officer.name in message
    assert list(Assignment.objects.values_list("village_election", flat=True)) == [world.own[1].pk]


def test_restore_twice_says_it_is_already_back(world):
    _officer, removal = _removed(world)
    assignment_restore(removal_id=removal.history_id, by=world.kabag)

    with pytest.raises(ValidationError) as exc:
        assignment_restore(removal_id=removal.history_id, by=world.kabag)

    assert "sudah dipulihkan" in " ".join(exc.value.messages)
    assert Assignment.objects.count() == 1


def test_restore_of_a_row_that_is_not_a_removal_is_refused(world):
    (officer,) = officers(world.polres, 1)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    created = Assignment.history.get(officer=officer)

    with pytest.raises(ValidationError) as exc:
        assignment_restore(removal_id=created.history_id, by=world.kabag)

    assert "bukan pelepasan" in " ".join(exc.value.messages)

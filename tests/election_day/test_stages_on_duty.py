"""The board and the Lapsit count every stage still on duty: a counting window that opens while the
voting window has not ended adds the counting postings, it does not drop the voting day's force.
An officer the Posko dispatches keeps his arrival: he is present at his new post, not late."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from election_day.models import StageWindow
from election_day.selectors import board, dispatch_proposal, lapsit_data
from election_day.services.checkins import checkin_record
from election_day.services.dispatch import dispatch_confirm
from election_day.services.incidents import incident_report
from operations.models import Duty, Stage
from operations.services.assignments import assignment_create
from tests.election_day.test_dispatch import polres
from tests.election_day.world import build
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user, settings):
    settings.CHECKIN_GRACE_MINUTES = 30  # voting started an hour ago: its late list is shown
    return build(make_user)


def _arrive(w, assignment, user):
    checkin_record(assignment=assignment, kind="arrived", by=user, idempotency_key=uuid.uuid4())


def _counting_opens(w, *, minutes_ago=1, ends_voting=False):
    now = timezone.now()
    if ends_voting:
        StageWindow.objects.filter(operation=w.operation, stage=Stage.VOTING).update(ends_at=now)
    StageWindow.objects.create(
        operation=w.operation, stage=Stage.COUNTING, starts_at=now - timedelta(minutes=minutes_ago)
    )
    return assignment_create(
        operation=w.operation,
        officer=OfficerFactory(unit=w.polsek),
        duty=Duty.BALLOT_ESCORT,
        stage=Stage.COUNTING,
        village_election=w.own[0],
        by=w.kabag,
    )


def test_a_counting_window_opening_while_voting_runs_adds_to_the_voting_force(w):
    _arrive(w, w.member, w.member_user)
    before = board(operation=w.operation, feed_size=None)
    assert before["personnel"]["planned"] == 3 and before["personnel"]["present"] == 1
    assert before["late"]["total"] == 2

    _counting_opens(w)
    after = board(operation=w.operation, feed_size=None)
    assert after["stage"]["stage"] == Stage.COUNTING  # the stage shown is the latest to start
    assert after["personnel"] == {"planned": 4, "present": 1, "finished": 0}
    # The voting postings not yet arrived stay late; the escort's window started a minute ago.
    assert after["late"]["total"] == 2
    assert {row["nrp"] for row in after["late"]["officers"]} == {
        w.leader.officer.nrp,
        w.outsider.officer.nrp,
    }
    assert lapsit_data(operation=w.operation)["personnel"] == after["personnel"]


def test_once_voting_has_ended_only_the_counting_postings_are_on_duty(w):
    _arrive(w, w.member, w.member_user)
    _counting_opens(w, ends_voting=True)
    now = timezone.now() + timedelta(seconds=1)
    assert board(operation=w.operation, feed_size=None, now=now)["personnel"] == {
        "planned": 1,
        "present": 0,
        "finished": 0,
    }


def test_an_officer_dispatched_from_the_reserve_keeps_his_arrival(w):
    unit = polres()
    reserve = [
        assignment_create(
            operation=w.operation, officer=OfficerFactory(unit=unit), duty=Duty.RESERVE, by=w.kabag
        )
        for _ in range(2)
    ]
    for posting in reserve:
        _arrive(w, posting, w.kabag)  # the reserve's arrival at the Mako, reported by radio
    before = board(operation=w.operation, feed_size=None)["personnel"]
    incident, _ = incident_report(
        operation=w.operation,
        village_election=w.own[1],
        category=w.category,
        severity=2,
        description="Massa berkumpul",
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )
    dispatch_confirm(incident=incident, officer_ids=[p.officer_id for p in reserve], by=w.kabag)

    after = board(operation=w.operation, feed_size=None)
    assert after["personnel"] == before
    assert not {p.officer.nrp for p in reserve} & {row["nrp"] for row in after["late"]["officers"]}


def test_the_voting_reserve_is_proposed_while_an_early_counting_window_runs(w):
    unit = polres()
    for _ in range(2):
        assignment_create(
            operation=w.operation, officer=OfficerFactory(unit=unit), duty=Duty.RESERVE, by=w.kabag
        )
    incident, _ = incident_report(
        operation=w.operation,
        village_election=w.own[1],
        category=w.category,
        severity=2,
        description="Massa berkumpul",
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )
    _counting_opens(w)
    found, proposal = dispatch_proposal(incident=incident)
    assert found.stage == Stage.COUNTING
    assert len(proposal.team) == 2 and proposal.problem in ("", None)

"""The Posko board is built from cached parts; after any write it must equal a board built from nothing."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from election_day.models import CheckIn
from election_day.selectors import board, dispatch_proposal
from election_day.services.checkins import checkin_record
from election_day.services.common import board_changed
from election_day.services.dispatch import dispatch_confirm
from election_day.services.incidents import incident_acknowledge, incident_report, incident_resolve
from election_day.services.progress import progress_record
from operations.models import Duty, Operation, RiskLevel, VillageStanding
from operations.services.assignments import assignment_create, assignment_delete
from operations.services.reports import risk_override
from tests.election_day.test_dispatch import polres
from tests.election_day.world import build
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user, settings):
    settings.CHECKIN_GRACE_MINUTES = 30  # the stage started an hour ago: the late list is shown
    return build(make_user)


def _incident(w, severity=2):
    return incident_report(
        operation=w.operation,
        village_election=w.own[1],
        category=w.category,
        severity=severity,
        description="Massa berkumpul di balai desa",
        by=w.kabag,
        idempotency_key=uuid.uuid4(),
    )[0]


def _check_in(w):
    checkin_record(
        assignment=w.member, kind=CheckIn.Kind.ARRIVED, by=w.member_user, idempotency_key=uuid.uuid4()
    )


def _step(w):
    progress_record(operation=w.operation, village_election=w.own[0], stage="tps_open", by=w.leader_user)


def _acknowledge(w):
    incident_acknowledge(incident=w.incident, by=w.kabag)


def _resolve(w):
    incident_resolve(incident=w.incident, note="Massa bubar", by=w.kabag)


def _dispatch(w):
    mako = polres()
    for _ in range(3):
        assignment_create(
            operation=w.operation, officer=OfficerFactory(unit=mako), duty=Duty.RESERVE, by=w.kabag
        )
    _found, proposal = dispatch_proposal(incident=w.incident)
    dispatch_confirm(incident=w.incident, officer_ids=[o.officer_id for o in proposal.team], by=w.kabag)


def _posting_removed(w):
    assignment_delete(assignment=w.outsider, by=w.kabag)


def _level_raised(w):
    risk_override(
        village_election=w.own[0], level=RiskLevel.SANGAT_RAWAN, reason="Informasi intelijen", by=w.kabag
    )


def _second_incident(w):
    _incident(w, severity=3)


def _point_moved(w):
    from operations.services.setup import desa_save

    desa = w.own[1].desa
    desa.latitude, desa.longitude = Decimal("-6.2"), Decimal("106.1")
    desa_save(desa=desa)


WRITES = {
    "check-in": _check_in,
    "progress step": _step,
    "incident reported": _second_incident,
    "incident acknowledged": _acknowledge,
    "incident resolved": _resolve,
    "team dispatched": _dispatch,
    "posting removed": _posting_removed,
    "village level raised": _level_raised,
    "desa point moved": _point_moved,
}


def _board(w, now):
    return board(operation=Operation.objects.get(pk=w.operation.pk), now=now)


@pytest.mark.parametrize("write", WRITES)
def test_board_after_a_write_equals_a_board_built_from_nothing(w, write):
    w.incident = _incident(w)
    now = timezone.now()
    before = _board(w, now)  # every part now cached
    WRITES[write](w)
    cached = _board(w, now)
    cache.clear()
    caches["process"].clear()
    fresh = _board(w, now)
    assert cached == fresh
    assert cached != before, "the write changed nothing the board shows"


def test_a_check_in_rebuilds_the_presence_and_reuses_the_incident_feed_and_the_village_list(w):
    _incident(w)
    now = timezone.now()
    with CaptureQueriesContext(connection) as first:
        _board(w, now)
    _check_in(w)
    with CaptureQueriesContext(connection) as after:
        data = _board(w, now)
    assert data["personnel"]["present"] == 1 and data["late"]["total"] == 2
    feed_queries = [q["sql"] for q in first.captured_queries if "election_day_incident" in q["sql"]]
    assert feed_queries, "the first board reads the incidents"
    assert not [q["sql"] for q in after.captured_queries if "election_day_incident" in q["sql"]]
    # The villages' names, levels and points change only with the ranking: in a Polres-sized
    # database their read was the board's dearest statement (18 ms of ~40 on a slow machine).
    standing = VillageStanding._meta.db_table
    assert [q["sql"] for q in first.captured_queries if standing in q["sql"]]
    assert not [q["sql"] for q in after.captured_queries if standing in q["sql"]]
    assert len(after.captured_queries) < len(first.captured_queries)


def test_a_boundary_import_moves_the_boards_village_points(w, django_capture_on_commit_callbacks):
    from tests.villages.test_import_boundaries import run, sql, sql_row

    now = timezone.now()
    desa = w.own[0].desa
    assert next(v for v in _board(w, now)["villages"] if v["id"] == w.own[0].pk)["lat"] != -6.3
    with django_capture_on_commit_callbacks(execute=True):
        run(sql(sql_row(desa.code, desa.name, lat=-6.3, lng=106.2)))
    moved = next(v for v in _board(w, now)["villages"] if v["id"] == w.own[0].pk)
    assert (moved["lat"], moved["lng"]) == (-6.3, 106.2)


def test_presence_counts_each_posting_once_as_present_finished_or_missing(w):
    # The leader arrived and went home, the member is there, the outsider never came (guards the
    # one-pass count of board_parts.presence against the three EXISTS it replaced).
    for kind in (CheckIn.Kind.ARRIVED, CheckIn.Kind.FINISHED):
        checkin_record(assignment=w.leader, kind=kind, by=w.leader_user, idempotency_key=uuid.uuid4())
    _check_in(w)
    data = _board(w, timezone.now())
    assert data["personnel"] == {"planned": 3, "present": 1, "finished": 1}
    assert data["late"]["total"] == 1
    assert [row["nrp"] for row in data["late"]["officers"]] == [w.outsider.officer.nrp]


def test_the_late_list_appears_when_the_grace_ends_without_a_write(w, settings):
    settings.CHECKIN_GRACE_MINUTES = 90  # the stage started 60 minutes ago
    now = timezone.now()
    assert _board(w, now)["late"]["total"] == 0
    assert _board(w, now + timedelta(minutes=31))["late"]["total"] == 3


def test_the_lapsit_reads_every_incident_not_the_cached_feed(w):
    for _ in range(3):
        _incident(w)
    now = timezone.now()
    assert len(_board(w, now)["incidents"]) == 3
    everything = board(operation=w.operation, now=now, feed_size=None, with_villages=False)
    assert len(everything["incidents"]) == 3 and everything["villages"] == []
    assert everything["villages_total"] == 3


def test_an_unknown_board_part_is_refused(w):
    with pytest.raises(ValueError, match="unknown board parts"):
        board_changed(operation_id=w.operation.pk, parts=("presense",))


@pytest.mark.parametrize("how", ["change page", "delete selected"])
def test_removing_a_stage_window_in_the_admin_changes_the_boards_etag(w, client, how):
    from election_day.models import StageWindow

    client.force_login(w.kabag)
    url = f"/api/v1/operations/{w.operation.pk}/board/"
    etag = client.get(url)["ETag"]
    window = StageWindow.objects.get(operation=w.operation)
    if how == "change page":
        client.post(f"/admin/election_day/stagewindow/{window.pk}/delete/", {"post": "yes"})
    else:
        client.post(
            "/admin/election_day/stagewindow/",
            {"action": "delete_selected", "_selected_action": [window.pk], "post": "yes"},
        )
    assert not StageWindow.objects.filter(pk=window.pk).exists()
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after.json()["stage"]["starts_at"] is None


def test_a_login_without_an_officer_is_named_alike_on_the_board_in_messages_and_on_pages(w):
    """One naming rule (operations.naming): the board's feed read the login where pages showed the
    full name of an HQ account that has no officer."""
    from election_day.services.common import actor_name
    from operations.naming import person_label

    w.kabag.officer.delete()
    w.kabag.refresh_from_db()
    w.kabag.first_name, w.kabag.last_name = "Piket", "Posko"
    w.kabag.save()
    incident = _incident(w)
    feed = board(operation=w.operation, feed_size=None)["incidents"]
    reported_by = next(row["reported_by"] for row in feed if row["id"] == incident.pk)
    assert reported_by == actor_name(w.kabag) == person_label(w.kabag) == "Piket Posko"


def _statements_of_a_board_from_nothing(w, now):
    cache.clear()
    caches["process"].clear()
    with CaptureQueriesContext(connection) as built:
        data = _board(w, now)
    return len(built.captured_queries), data


def test_a_board_built_from_nothing_is_eleven_statements_whatever_it_holds(w):
    # After a change every open board rebuilds; the national replay rebuilds every part at once
    # beside a writer at full speed. One statement each: the operation, the stamp, the windows;
    # presence counts, late list, far list; the villages' stages; the incidents' tally, their feed
    # and the people named in it; the villages. (Through the ORM it was 17 with an incident.)
    now = timezone.now()
    w.incident = _incident(w)
    first, _data = _statements_of_a_board_from_nothing(w, now)
    _check_in(w)
    _step(w)
    _acknowledge(w)
    _dispatch(w)
    _second_incident(w)
    _resolve(w)
    after, data = _statements_of_a_board_from_nothing(w, now)
    assert len(data["incidents"]) == 2 and data["incidents_closed"] == 1
    assert data["incidents"][1]["dispatched"] >= 2 and data["incidents"][1]["resolved_by"]
    assert data["personnel"]["present"] == 1 and data["late"]["total"] > 0 and data["villages_per_stage"]
    assert (first, after) == (11, 11)

"""The busiest hand-written statements (pilkades.sqlrows) are prepared on PostgreSQL: planned once
per connection, not on every request (planning the check-in's six-table read cost PostgreSQL
~1 ms, ten times running it). Off with DATABASE_PREPARE_THRESHOLD=0, for a pooler that cannot
carry prepared statements from one client to the next.
"""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from election_day.models import CheckIn
from election_day.services.checkins import checkin_record
from pilkades.env import env_threshold
from tests.election_day.world import build


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def _report_six_times(w) -> list[CheckIn]:
    """One arrival, then five replays of it (a phone retrying): each reads the posting, locked."""
    key = uuid.uuid4()
    arrival = {"assignment": w.member, "kind": CheckIn.Kind.ARRIVED, "by": w.member_user}
    return [checkin_record(**arrival, idempotency_key=key)[0] for _ in range(6)]


@pytest.fixture
def threshold():
    """The connection's threshold for this test, whatever the suite's settings gave it."""
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold

    def set_to(value):
        raw.prepare_threshold = value

    yield set_to
    raw.prepare_threshold = kept


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_check_in_read_of_the_posting_is_prepared_once_it_is_run_often(make_user, threshold):
    w = build(make_user)
    threshold(5)

    recorded = _report_six_times(w)

    assert {checkin.pk for checkin in recorded} == {recorded[0].pk}
    locked_reads = [s for s in _prepared() if '"operations_assignment" a' in s and "FOR UPDATE OF a" in s]
    assert len(locked_reads) == 1, _prepared()
    assert "$1" in locked_reads[0]  # the server binds the id: one statement for every posting


@pytest.mark.postgres
@pytest.mark.django_db
def test_with_the_threshold_off_nothing_is_prepared_and_the_check_in_still_works(make_user, threshold):
    w = build(make_user)
    threshold(None)
    before = set(_prepared())

    recorded = _report_six_times(w)

    assert {checkin.pk for checkin in recorded} == {recorded[0].pk}
    assert CheckIn.objects.filter(assignment=w.member).count() == 1
    assert set(_prepared()) == before


@pytest.mark.parametrize(("raw", "expected"), [(None, 5), ("", 5), ("3", 3), ("1", 1), ("0", None)])
def test_the_threshold_setting_reads_a_count_or_off(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("X_PREPARE", raising=False)
    else:
        monkeypatch.setenv("X_PREPARE", raw)
    assert env_threshold("X_PREPARE", 5) == expected


@pytest.mark.parametrize("raw", ["-1", "five"])
def test_the_threshold_setting_refuses_what_is_not_a_count(monkeypatch, raw):
    monkeypatch.setenv("X_PREPARE", raw)
    with pytest.raises(ImproperlyConfigured, match="X_PREPARE"):
        env_threshold("X_PREPARE", 5)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_prepared_statement_is_still_named_in_the_query_log(make_user, threshold):
    # psycopg keeps no query text for a statement it runs prepared; Django's log (DEBUG,
    # assertNumQueries, CaptureQueriesContext) wrote None in its place.
    from django.test.utils import CaptureQueriesContext

    w = build(make_user)
    threshold(5)
    with CaptureQueriesContext(connection) as log:
        _report_six_times(w)

    locked = [q["sql"] for q in log.captured_queries if "FOR UPDATE OF a" in (q["sql"] or "")]
    assert [q for q in log.captured_queries if q["sql"] is None] == []
    assert len(locked) == 6

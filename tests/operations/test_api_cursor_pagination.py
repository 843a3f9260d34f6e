"""Cursor pagination on the long lists (?paginate=cursor) for clients that sync; page numbers stay
the default."""

import pytest

from operations.models import Officer
from operations.roles import KABAG_OPS
from operations.services.reports import report_create, report_submit
from tests import factories
from tests.operations import risk_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def kabag(api_client, make_user):
    api_client.force_authenticate(make_user(KABAG_OPS))
    return api_client


def _walk(client, url, params):
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        assert "count" not in body  # a cursor page counts nothing: constant time however deep
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def test_officers_walk_by_cursor_gives_every_row_once(kabag):
    for _ in range(7):
        factories.OfficerFactory()
    rows = _walk(kabag, "/api/v1/officers/", {"paginate": "cursor", "page_size": 3})
    assert [row["id"] for row in rows] == sorted(Officer.objects.values_list("pk", flat=True))


def test_a_row_added_while_walking_is_neither_lost_nor_repeated(kabag):
    for _ in range(4):
        factories.OfficerFactory()
    first = list(Officer.objects.order_by("pk").values_list("pk", flat=True))
    response = kabag.get("/api/v1/officers/", {"paginate": "cursor", "page_size": 2})
    seen = [row["id"] for row in response.json()["results"]]
    added = factories.OfficerFactory()
    rest = _walk(kabag, response.json()["next"], {})
    assert seen + [row["id"] for row in rest] == first + [added.pk]


def test_page_numbers_stay_the_default(kabag):
    factories.OfficerFactory()
    body = kabag.get("/api/v1/officers/").json()
    assert body["count"] == Officer.objects.count() and "results" in body


def test_reports_and_ranking_walk_by_cursor(kabag, make_user):
    world = risk_setup.build_world(make_user, own_villages=3)
    for village in world.own:
        report = report_create(village_election=village, author=world.polsek, answers=risk_setup.answers())
        report_submit(report=report, by=world.polsek)
    reports = _walk(kabag, "/api/v1/risk-reports/", {"paginate": "cursor", "page_size": 2})
    assert len(reports) == 3 == len({r["id"] for r in reports})
    ranking = _walk(
        kabag, f"/api/v1/operations/{world.operation.pk}/ranking/", {"paginate": "cursor", "page_size": 2}
    )
    assert sorted(r["village_election"] for r in ranking) == sorted(v.pk for v in [*world.own, world.foreign])


@pytest.mark.parametrize(
    ("params", "field"),
    [({"paginate": "cursor", "cursor": "bogus"}, "cursor"), ({"paginate": "pages"}, "paginate")],
)
def test_a_bad_cursor_or_mode_is_a_400_naming_it(kabag, params, field):
    response = kabag.get("/api/v1/officers/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("asked", ["3", "153149670342662861940936671232"])
def test_a_cursor_page_is_capped_like_a_numbered_one(kabag, asked):
    # The cursor read the page size again without the cap: a 30-digit one reached the database's
    # LIMIT (a 500 on PostgreSQL, found by the fuzzing).
    for _ in range(4):
        factories.OfficerFactory()
    response = kabag.get("/api/v1/officers/", {"paginate": "cursor", "page_size": asked})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == min(int(asked), Officer.objects.count())


def test_a_cursor_page_of_no_whole_number_is_a_400(kabag):
    response = kabag.get("/api/v1/officers/", {"paginate": "cursor", "page_size": "1e3"})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]

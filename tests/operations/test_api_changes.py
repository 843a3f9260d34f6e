"""GET /api/v1/changes/?since=<cursor>: created/updated/deleted objects of every setup resource,
read from the audit history in order, with an opaque cursor a syncing client keeps."""

import pytest

from operations.models import Officer, Unit
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.selectors import changes
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


@pytest.fixture
def kabag(api_client, make_user):
    api_client.force_authenticate(make_user(KABAG_OPS))
    return api_client


def _all(client, since=None, limit=None):
    """Every change from ``since`` on, page by page; the last cursor."""
    seen, cursor = [], since
    while True:
        params = {k: v for k, v in {"since": cursor, "limit": limit}.items() if v is not None}
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        seen += body["results"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor


def test_feed_lists_created_updated_deleted_in_order_and_resumes_from_the_cursor(kabag):
    _, start = _all(kabag)
    unit = factories.UnitFactory(name="Polsek Anyar")
    kabag.patch(f"/api/v1/units/{unit.pk}/", {"name": "Polsek Anyer"}, format="json")
    officer = factories.OfficerFactory(unit=unit)
    Officer.objects.get(pk=officer.pk).delete()

    seen, cursor = _all(kabag, since=start)
    assert [(c["resource"], c["action"], c["object_id"]) for c in seen] == [
        ("unit", "created", unit.pk),
        ("unit", "updated", unit.pk),
        ("officer", "created", officer.pk),
        ("officer", "deleted", officer.pk),
    ]
    assert seen[1]["data"]["name"] == "Polsek Anyer"
    assert seen[1]["by"] is not None  # the token's account, from the history row
    # Nothing new: an empty page and the same cursor to poll with.
    again, same = _all(kabag, since=cursor)
    assert again == [] and same == cursor
    factories.ElectionFactory()
    later, _ = _all(kabag, since=cursor)
    assert [(c["resource"], c["action"]) for c in later] == [("election", "created")]


def test_small_pages_neither_skip_nor_repeat(kabag):
    _, start = _all(kabag)
    units = [factories.UnitFactory() for _ in range(7)]
    desa = [factories.DesaFactory() for _ in range(3)]
    paged, _ = _all(kabag, since=start, limit=2)
    whole, _ = _all(kabag, since=start)
    assert paged == whole
    ids = [(c["resource"], c["object_id"]) for c in whole]
    assert len(ids) == len(set(ids))
    assert {("unit", u.pk) for u in units} | {("desa", d.pk) for d in desa} <= set(ids)


def test_changes_in_one_instant_keep_one_order_across_resources(kabag, monkeypatch):
    # Rows of different tables with the same timestamp: the cursor orders them by resource, then id.
    from django.utils import timezone

    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    _, start = _all(kabag)
    factories.UnitFactory(), factories.ElectionFactory(), factories.UnitFactory()
    monkeypatch.undo()
    paged, _ = _all(kabag, since=start, limit=1)
    assert len(paged) == 3 and paged == _all(kabag, since=start)[0]


@pytest.mark.parametrize("bad", ["xyz", "Zm9v", "", "YXxifGM"])
def test_a_cursor_the_feed_did_not_give_is_a_400(kabag, bad):
    if bad == "":
        assert kabag.get(URL, {"since": bad}).status_code == 200  # empty: from the beginning
        return
    response = kabag.get(URL, {"since": bad})
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_limit_is_checked(kabag):
    assert kabag.get(URL, {"limit": "0"}).status_code == 400
    assert kabag.get(URL, {"limit": "501"}).status_code == 400
    assert kabag.get(URL, {"limit": "x"}).status_code == 400


def test_the_feed_does_not_list_what_may_still_roll_back(kabag, monkeypatch):
    # Rows written after the horizon (an open transaction started before them) wait for it.
    _, start = _all(kabag)
    factories.UnitFactory()
    monkeypatch.setattr(changes, "settled_before", lambda: Unit.history.earliest("history_date").history_date)
    assert _all(kabag, since=start)[0] == []


@pytest.mark.parametrize(("role", "status"), [(PIMPINAN, 200), (POLSEK, 403)])
def test_hq_reads_the_feed_a_polsek_does_not(api_client, make_user, role, status):
    unit = factories.UnitFactory(kind=Unit.Kind.POLSEK)
    api_client.force_authenticate(make_user(role, unit=unit) if role == POLSEK else make_user(role))
    assert api_client.get(URL).status_code == status


def test_phone_is_left_out_for_those_who_do_not_read_it(api_client, make_user):
    factories.OfficerFactory(phone="081234567")
    api_client.force_authenticate(make_user(PIMPINAN))
    officers = [c for c in _all(api_client)[0] if c["resource"] == "officer"]
    assert officers and all("phone" not in c["data"] and "user" not in c["data"] for c in officers)


@pytest.mark.django_db(transaction=True)
def test_a_row_of_a_transaction_still_open_waits_and_then_comes_in_its_place():
    # Two writers: the slow one began first and commits last. A client polling between the two
    # commits must not pass the slow one's row (it would never see it).
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no transaction commits out of order")
    first, _more = changes.changes_since(after=None)
    start = first[-1].position if first else None
    begun, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                factories.UnitFactory(name="Polsek Lambat")
                begun.set()
                release.wait(20)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert begun.wait(20)
        factories.UnitFactory(name="Polsek Cepat")  # committed at once
        meanwhile, _ = changes.changes_since(after=start)
        assert [c.data["name"] for c in meanwhile if c.resource == "unit"] == []
    finally:
        release.set()
        writer.join()
    settled, _ = changes.changes_since(after=start)
    assert [c.data["name"] for c in settled if c.resource == "unit"] == ["Polsek Lambat", "Polsek Cepat"]


def _position_now() -> changes.Position | None:
    position, more = None, True
    while more:
        page, more = changes.changes_since(after=position)
        position = page[-1].position if page else position
    return position


def test_the_number_of_queries_does_not_grow_with_the_page(kabag):
    # One statement for the keys of every table (the horizon read inside it), then one per table on
    # the page: a page of 1 and a page of 9 of one table cost the same.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = _position_now()
    factories.ElectionFactory()  # a second table on the largest page
    for _ in range(8):
        factories.UnitFactory()
    sizes = {}
    for limit in (1, 5, 9):
        with CaptureQueriesContext(connection) as queries:
            page, _ = changes.changes_since(after=start, limit=limit)
        sizes[limit] = (len(queries), len({c.resource for c in page}))
    assert sizes == {1: (2, 1), 5: (3, 2), 9: (3, 2)}
    kabag.get(URL, {"limit": 1})  # the reader's roles, read once per user object
    with CaptureQueriesContext(connection) as one:
        assert kabag.get(URL, {"since": start.encode(), "limit": 2}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert kabag.get(URL, {"since": start.encode(), "limit": 9}).status_code == 200
    assert len(many) == len(one)


def test_many_rows_of_one_table_in_one_instant_page_without_skipping(kabag, monkeypatch):
    # A bulk write (pilkades.bulk_history) gives a whole batch one history_date: the cursor's history
    # id orders them, and a page boundary inside the batch neither skips nor repeats.
    from django.utils import timezone

    _, start = _all(kabag)
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    units = [factories.UnitFactory() for _ in range(7)]
    monkeypatch.undo()
    paged, _ = _all(kabag, since=start, limit=2)
    assert [c["object_id"] for c in paged] == [u.pk for u in units]
    assert paged == _all(kabag, since=start)[0]


def test_data_is_the_history_row_as_the_api_renders_a_model(kabag):
    # Dates, decimals, times and uuids as DRF renders them, on SQLite as on PostgreSQL.
    import json

    from rest_framework.renderers import JSONRenderer

    _, start = _all(kabag)
    assignment = factories.AssignmentFactory()
    seen, _ = _all(kabag, since=start)
    assert {"operation", "assignment", "desa", "officer"} <= {c["resource"] for c in seen}
    for change in seen:
        model = dict(changes.RESOURCES)[change["resource"]]
        history = model.history.filter(history_id=_history_id(change))
        row = history.values("history_date", *change["data"]).get()
        rendered = json.loads(JSONRenderer().render(row))
        assert change["at"] == rendered.pop("history_date") and change["at"].endswith("Z")
        assert change["data"] == rendered, change["resource"]
    (posting,) = [c for c in seen if c["resource"] == "assignment"]
    assert posting["object_id"] == assignment.pk and posting["data"]["assigned_at"].endswith("Z")


def _history_id(change) -> int:
    return changes.Position.decode(change["cursor"]).history_id


def test_each_history_table_of_the_feed_has_an_index_in_its_order():
    # The key statement reads every table by (history_date, history_id): without an index led by
    # both, a page inside a batch written in one instant sorts the whole batch.
    from django.db import connection

    with connection.cursor() as cursor:
        for name, model in changes.RESOURCES:
            table = model.history.model._meta.db_table
            indexes = connection.introspection.get_constraints(cursor, table).values()
            led = [i["columns"][:2] for i in indexes if i["index"]]
            assert ["history_date", "history_id"] in led, name

"""The nav's notice badge: a Polsek sees how many of his reports came back, the Kabag Ops how many
wait for him; a small JSON endpoint gives the same count for polling, answering 304 while unchanged."""

import pytest
from django.urls import reverse

from operations.services.reports import report_create, report_return, report_submit
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    first = report_create(village_election=world.own[0], author=world.polsek, answers=answers())
    report_submit(report=first, by=world.polsek)
    second = report_create(village_election=world.own[1], author=world.polsek, answers=answers())
    report_submit(report=second, by=world.polsek)
    report_return(report=second, by=world.kabag, reason="Lengkapi sumber informasi.")
    return world


def _badge(client):
    html = client.get(reverse("home"), follow=True).content.decode()
    start = html.find('id="notice"')
    return html[start : start + 600] if start >= 0 else None


def test_polsek_sees_his_returned_reports_in_the_nav(client, world):
    client.force_login(world.polsek)
    badge = _badge(client)
    assert badge is not None
    assert 'id="notice-count">1<' in badge
    assert "1 laporan dikembalikan" in badge
    assert reverse("report-list") in client.get(reverse("home"), follow=True).content.decode()


def test_kabag_ops_sees_the_waiting_reports_in_the_nav(client, world):
    client.force_login(world.kabag)
    badge = _badge(client)
    assert 'id="notice-count">1<' in badge
    assert "1 laporan menunggu verifikasi" in badge


def test_other_polsek_and_pimpinan_get_no_count_of_others(client, world):
    client.force_login(world.other_polsek)
    assert 'id="notice-count">0<' in _badge(client)
    client.force_login(world.pimpinan)
    assert _badge(client) is None
    assert client.get(reverse("notices")).status_code == 403


def test_endpoint_answers_the_count_then_304_until_it_changes(client, world):
    client.force_login(world.kabag)
    first = client.get(reverse("notices"))
    assert first.status_code == 200
    assert first.json() == {
        "kind": "waiting",
        "count": 1,
        "text": "1 laporan menunggu verifikasi",
        "url": reverse("report-review"),
    }
    etag = first["ETag"]
    assert client.get(reverse("notices"), headers={"if-none-match": etag}).status_code == 304
    report = report_create(village_election=world.own[1], author=world.polsek, answers=answers())
    report_submit(report=report, by=world.polsek)
    changed = client.get(reverse("notices"), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.json()["count"] == 2


def test_endpoint_needs_a_login(client, world):
    response = client.get(reverse("notices"))
    assert response.status_code == 302

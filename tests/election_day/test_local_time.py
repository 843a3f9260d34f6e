"""Times are the Polres's own: the board's and the Lapsit's JSON carry the local offset like the
rest of the API, and every printed time names its zone (WIB, WITA, WIT), so a Lapsit pasted into a
Polda's chat group is not an hour off for a Polres in Sulawesi or Papua."""

import re
import uuid
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from election_day.lapsit import lapsit_text
from election_day.selectors import board, lapsit_data
from election_day.services.incidents import incident_report
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


@pytest.mark.parametrize(
    "zone, offset, name, hour",
    [
        ("Asia/Jakarta", "+07:00", "WIB", "12"),
        ("Asia/Makassar", "+08:00", "WITA", "13"),
        ("Asia/Jayapura", "+09:00", "WIT", "14"),
    ],
)
def test_board_and_lapsit_speak_the_polres_time_and_name_its_zone(w, zone, offset, name, hour):
    now = datetime.fromisoformat("2026-12-06T05:00:00+00:00")
    incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=1,
        description="Surat suara terlambat",
        by=w.member_user,
        idempotency_key=uuid.uuid4(),
    )
    with override_settings(TIME_ZONE=zone):
        data = board(operation=w.operation, now=now, feed_size=None)
        assert data["generated_at"] == f"2026-12-06T{hour}:00:00{offset}"
        assert data["incidents"][0]["reported_at"].endswith(offset)
        assert data["stage"]["starts_at"].endswith(offset)
        text = lapsit_text(lapsit_data(operation=w.operation, now=now))
        assert re.search(rf"Waktu: .*{hour}[.:]00 {name}\b", text), text


def test_the_hourly_snapshot_command_prints_the_local_time_with_its_zone(w):
    out = StringIO()
    call_command("lapsit_snapshot", stdout=out)
    local = timezone.localtime()
    assert f"{local:%Y-%m-%d %H}" in out.getvalue() and "WIB" in out.getvalue()

"""Election day in two browsers (issue 14): an officer's phone at 360 px and the Posko wall board.

The officer checks in and reports an incident with a photo; the wall board shows it by itself
(conditional polling, no reload) within 5 s; the Kabag Ops has a team proposed and sends it, then
resolves the incident, and the Lapsit carries it. Screenshots go to test-artifacts/ (the README's
are copies of posko-board.png and phone-checkin.png).
"""

import io
import time
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from election_day.geo import km_text
from election_day.models import CheckIn, Dispatch, Incident, IncidentPhoto
from election_day.selectors import dispatch_proposal
from operations.models import Duty, Unit
from operations.services.assignments import assignment_create
from tests.e2e.conftest import PHONE, login, screenshot
from tests.factories import OfficerFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1366, "height": 768}
PASSWORD = "Sandi-Uji-12345"
# A horizontal scrollbar on the phone means something is cut off.
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def w(w):
    """The e2e world (tests/e2e/conftest.py) with a reserve of two at a Mako to dispatch."""
    world = w
    mako = UnitFactory(kind=Unit.Kind.POLRES, hq_latitude=Decimal("-6.05"), hq_longitude=Decimal("106.20"))
    world.reserve = [
        assignment_create(
            operation=world.operation, officer=OfficerFactory(unit=mako), duty=Duty.RESERVE, by=world.kabag
        )
        for _ in range(2)
    ]
    return world


def _photo(tmp_path):
    path = tmp_path / "tkp.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "#556b2f").save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def _wait_for(predicate, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.1)


def test_phone_reports_and_the_wall_board_runs_the_incident_to_the_lapsit(open_page, w, tmp_path):
    wall, wall_console = open_page(WALL)
    login(wall, w.kabag.username, PASSWORD)
    wall.goto(f"/operasi/{w.operation.pk}/posko/")
    expect(wall.locator("#planned")).to_have_text("5")  # three village guards and the reserve pair
    expect(wall.locator("#incident-feed li.incident")).to_have_count(0)

    phone, phone_console = open_page(PHONE)
    login(phone, w.leader_user.username, PASSWORD)
    phone.goto("/hari-h/")
    phone.locator(f"#checkin-{w.leader.pk}").get_by_role("button", name="Tiba di lokasi").click()
    _wait_for(lambda: CheckIn.objects.filter(assignment=w.leader).exists())
    expect(wall.locator("#present")).to_have_text("1", timeout=5_000)
    phone.goto("/hari-h/")
    expect(phone.locator(f"#checkin-{w.leader.pk}").get_by_role("button", name="Selesai")).to_be_visible()
    expect(phone.get_by_text("Sudah tiba di lokasi")).to_have_count(1)
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "phone-checkin", full_page=False)

    phone.goto("/hari-h/kejadian/baru/")
    phone.select_option("#id_operation", str(w.operation.pk))
    phone.select_option("#id_village_election", str(w.own[0].pk))
    phone.select_option("#id_category", "keributan")
    phone.select_option("#id_severity", "2")
    phone.fill("#id_description", "Dua kubu pendukung saling dorong di depan TPS 2")
    phone.set_input_files("#id_photos", str(_photo(tmp_path)))
    phone.wait_for_timeout(500)  # the phone downscales the photo
    assert phone.evaluate(OVERFLOW) <= 0
    phone.get_by_role("button", name="Kirim ke Posko").click()
    _wait_for(lambda: Incident.objects.exists())
    sent = time.monotonic()
    incident = Incident.objects.get()
    card = wall.locator(f"#incident-feed li.incident[data-id='{incident.pk}']")
    expect(card).to_be_visible(timeout=5_000)  # no reload: the board polls with If-None-Match
    print(f"field to wall: {time.monotonic() - sent:.2f} s")
    assert IncidentPhoto.objects.filter(incident=incident).count() == 1
    expect(card).to_contain_text("saling dorong")
    expect(card).to_contain_text("1 foto")

    card.get_by_role("button", name="Usulkan tim").click()
    send = card.get_by_role("button", name="Kirim tim (2)")
    expect(send).to_be_visible()
    expect(card).to_contain_text("Cadangan di Mako")  # duties by their names, not their codes
    # Each officer's way to the village written as the Lapsit and the far-arrival list write it
    # ("12,4 km"; the proposal's list said "12.4").
    with translation.override("id"):
        ways = {km_text(round(o.distance_km * 1000)) for o in dispatch_proposal(incident=incident)[1].team}
    assert ways and all("." not in way for way in ways)
    for way in ways:
        expect(card).to_contain_text(f"({way} km)")
    wall.evaluate("window.scrollTo(0, 0)")
    assert wall.evaluate(OVERFLOW) <= 0
    screenshot(wall, "posko-board", full_page=False)
    send.click()
    expect(card).to_contain_text("personel dikirim", timeout=5_000)
    assert set(Dispatch.objects.values_list("officer_id", flat=True)) == {a.officer_id for a in w.reserve}

    card = wall.locator(f"#incident-feed li.incident[data-id='{incident.pk}']")
    wall.once("dialog", lambda dialog: dialog.accept("Massa bubar, TPS 2 kembali tertib"))
    card.get_by_role("button", name="Selesaikan").click()
    resolved = wall.locator(f"#incident-feed li.incident.state-resolved[data-id='{incident.pk}']")
    expect(resolved).to_be_visible()
    expect(wall.locator("#closed")).to_have_text("1")
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED and incident.resolved_by == w.kabag

    wall.locator("#lapsit-link").click()
    lapsit = wall.locator("#lapsit-text")
    expect(lapsit).to_contain_text(w.own[0].desa.name)
    expect(lapsit).to_contain_text("Massa bubar")
    assert wall_console.take() == [] and phone_console.take() == []

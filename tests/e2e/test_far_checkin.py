"""A far arrival in two browsers: the officer's phone (360 px, its GPS ~11 km from the desa point)
is told so; the wall board (1366 px) lists him under "Lapor tiba jauh dari titik desa" by itself."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1366, "height": 768}
PASSWORD = "Sandi-Uji-12345"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_far_arrival_is_told_on_the_phone_and_listed_on_the_wall(open_page, w, settings):
    settings.CHECKIN_FAR_METRES = 5000
    wall, wall_console = open_page(WALL)
    login(wall, w.kabag.username, PASSWORD)
    wall.goto(f"/operasi/{w.operation.pk}/posko/")
    expect(wall.locator("#far-total")).to_have_text("0")
    expect(wall.locator("#far-note")).to_have_text(
        "Posisi ponsel lebih dari 5 km dari titik desa: tanyakan posisi petugas."
    )

    phone, phone_console = open_page(PHONE)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": -6.2, "longitude": 106.3, "accuracy": 20})
    login(phone, w.member_user.username, PASSWORD)
    phone.goto("/hari-h/")
    expect(phone.locator("#geo-status")).to_have_text("Posisi ponsel akan dikirim.")
    phone.locator(f"#checkin-{w.member.pk}").get_by_role("button", name="Tiba di lokasi").click()
    expect(phone.locator("#queue-message")).to_contain_text(
        f"Posisi ponsel 11,1 km dari titik desa (Tiba di lokasi — {w.own[0].desa.name}"
    )
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "phone-far-checkin", full_page=False)

    expect(wall.locator("#far-total")).to_have_text("1", timeout=6_000)  # no reload
    expect(wall.locator("#far-list li")).to_have_text(
        [
            f"{w.member.officer.get_rank_display()} {w.member.officer.name} ({w.member.officer.nrp})"
            f" — {w.own[0].desa.name}: 11,1 km"
        ]
    )
    screenshot(wall, "posko-board-far", full_page=True)

    # The Kapolres' Lapsit says it too, on a phone as on the wall screen.
    lapsit = f"{w.member.officer.name} ({w.member.officer.nrp}), {w.own[0].desa.name}: 11,1 km"
    wall.locator("#lapsit-link").click()
    expect(wall.locator("#lapsit-text")).to_contain_text(lapsit)
    screenshot(wall, "lapsit-far", full_page=True)
    reader, reader_console = open_page(PHONE)
    login(reader, w.kabag.username, PASSWORD)
    reader.goto(f"/operasi/{w.operation.pk}/lapsit/")
    expect(reader.locator("#lapsit-text")).to_contain_text(lapsit)
    assert reader.evaluate(OVERFLOW) <= 0
    screenshot(reader, "lapsit-far-phone", full_page=False)
    assert wall_console.take() == [] and phone_console.take() == [] and reader_console.take() == []

"""The deployment board of a real Polres in a browser (issue 18 item 2): a generated operation with
150 villages in 10 kecamatan of 5 Polsek and 520 officers, all posted. Collapsed, the board stays
under 3,000 px at 1366 px and never scrolls sideways (1366 and 360 px); a ▸ opens a team in place
from the keyboard; an officer is found by NRP; the ✕ asks for confirmation and the removal is undone.
"""

import pytest
from playwright.sync_api import expect

from operations.models import Assignment
from operations.roles import KABAG_OPS
from tests.board_world import TARGET_NAME, TARGET_NRP, VILLAGES, build_polres_board
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HQ_WIDE = {"width": 1366, "height": 768}


@pytest.fixture
def big_operation(make_user):
    return build_polres_board(kabag=make_user(KABAG_OPS, username="kabag.uji"))


def _open_board(open_page, operation, viewport=HQ_WIDE):
    page, console = open_page(viewport)
    login(page, "kabag.uji", TEST_PASSWORD)
    page.goto(f"/operasi/{operation.pk}/penempatan/")
    return page, console


def _sideways_scroll(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_collapsed_board_of_500_officers_stays_under_3000_px_and_opens_from_the_keyboard(
    open_page, big_operation
):
    page, console = _open_board(open_page, big_operation)

    assert page.locator(".village-grid > li").count() == VILLAGES
    expect(page.locator(".village-grid .chip.surplus").first).to_contain_text("+2")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 3000, f"board is {height} px tall at 1366 px"
    assert _sideways_scroll(page) <= 0
    screenshot(page, "board-1366")

    first = page.locator("[data-team-toggle]").first
    first.focus()
    page.keyboard.press("Enter")
    expect(first).to_have_attribute("aria-expanded", "true")
    panel = page.locator(".team-panel").first
    expect(panel).to_be_visible()
    # The team is fetched when opened: its officers, each a link, each with a ✕.
    expect(panel.locator("a[href^='/personel/']").first).to_be_visible()
    expect(panel.get_by_role("link", name="Lepas").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollHeight") > height
    page.keyboard.press("Space")
    expect(first).to_have_attribute("aria-expanded", "false")
    assert console.take() == []

    phone, phone_console = _open_board(open_page, big_operation, PHONE)
    assert _sideways_scroll(phone) <= 0
    phone.locator("[data-team-toggle]").first.click()
    assert _sideways_scroll(phone) <= 0
    screenshot(phone, "board-360")
    assert phone_console.take() == []


def test_board_finds_an_officer_by_nrp(open_page, big_operation):
    page, console = _open_board(open_page, big_operation)
    village = Assignment.objects.get(officer__nrp=TARGET_NRP).village_election

    page.get_by_label("Cari personel (nama atau NRP)").fill(TARGET_NRP)
    page.keyboard.press("Enter")

    row = page.locator(f"#desa-{village.pk}")
    expect(row.locator("[data-team-toggle]")).to_have_attribute("aria-expanded", "true")
    expect(row.locator(".member.match")).to_contain_text(f"Briptu {TARGET_NAME}")
    expect(page.locator(".found")).to_contain_text(village.desa.name)
    assert page.locator(".village-grid > li").count() == 1
    screenshot(page, "board-search-1366", full_page=False)
    assert console.take() == []


def test_remove_asks_for_confirmation_and_undo_puts_him_back(open_page, big_operation):
    page, console = _open_board(open_page, big_operation)
    village = Assignment.objects.get(officer__nrp=TARGET_NRP).village_election
    page.get_by_label("Cari personel (nama atau NRP)").fill(TARGET_NRP)
    page.keyboard.press("Enter")

    page.get_by_role("link", name=f"Lepas {TARGET_NAME}").click()
    expect(page.get_by_role("heading", name="Lepas personel dari tugasnya?")).to_be_visible()
    assert Assignment.objects.filter(officer__nrp=TARGET_NRP).exists()  # nothing happened yet
    page.get_by_role("button", name="Ya, lepas").click()

    expect(page.locator(".undo")).to_contain_text(TARGET_NAME)
    assert not Assignment.objects.filter(officer__nrp=TARGET_NRP).exists()
    screenshot(page, "board-undo-1366", full_page=False)
    page.get_by_role("button", name="Urungkan").click()

    expect(page.locator(".msg-success")).to_contain_text("kembali bertugas")
    restored = Assignment.objects.get(officer__nrp=TARGET_NRP)
    assert restored.village_election_id == village.pk
    assert list(
        Assignment.history.filter(officer__nrp=TARGET_NRP)
        .order_by("history_id")
        .values_list("history_type", flat=True)
    ) == ["+", "-", "+"]
    assert console.take() == []

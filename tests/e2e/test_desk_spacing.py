"""Controls laid out as a person expects (issue 18): the Kabag Ops' 'Verifikasi' button stands
clear of the return-reason box below it, and the board's 'Tanpa personel BKO' checkbox sits on the
line of its label, not above it."""

import io

import pytest
from django.core.management import call_command

from operations.models import Operation
from tests.e2e.conftest import DESKTOP, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kabag_page(open_page):
    call_command("load_demo", stdout=io.StringIO())
    page, console = open_page(DESKTOP)
    login(page, "kabagops", "Demo-Kabagops-2019!")
    return page, console


def test_verify_button_stands_clear_of_the_return_reason(kabag_page):
    page, console = kabag_page
    page.goto("/laporan/antrian/")
    button = page.get_by_role("button", name="Verifikasi").first.bounding_box()
    # The reason box with its label: the field the return form opens with.
    reason = page.locator("form[action$='/kembalikan/'] .field").first.bounding_box()
    gap = reason["y"] - (button["y"] + button["height"])
    assert gap >= 12, f"{gap:.0f} px between 'Verifikasi' and the reason box"
    assert console.take() == []


def test_bko_checkbox_sits_beside_its_label(kabag_page):
    page, console = kabag_page
    page.goto(f"/operasi/{Operation.objects.get().pk}/penempatan/")
    checkbox = page.locator("input[name=exclude_bko]").bounding_box()
    label = page.get_by_text("Tanpa personel BKO").bounding_box()
    centre = checkbox["y"] + checkbox["height"] / 2
    assert label["y"] <= centre <= label["y"] + label["height"], (checkbox, label)
    assert checkbox["x"] + checkbox["width"] <= label["x"] + 40, (checkbox, label)
    assert console.take() == []

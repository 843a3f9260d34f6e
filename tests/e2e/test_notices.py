"""The nav's notice badge updates without a reload: a report returned while the Polsek officer has
the desk open shows up in his badge at the next poll (forced here by coming back to the tab)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from operations.models import RiskReport
from operations.services.reports import report_return
from tests.e2e.conftest import PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_polsek_badge_counts_a_report_returned_while_the_page_is_open(open_page):
    call_command("load_demo", stdout=io.StringIO())
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    expect(page.locator("#notice-count")).to_have_text("1")

    users = get_user_model().objects
    waiting = RiskReport.objects.filter(status=RiskReport.Status.SUBMITTED).first()
    report_return(report=waiting, by=users.get(username="kabagops"), reason="Tambahkan sumbernya.")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

    expect(page.locator("#notice-count")).to_have_text("2")
    expect(page.locator("#notice-text")).to_have_text("2 laporan dikembalikan")
    assert console.take() == []

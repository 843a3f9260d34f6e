"""A severity-3 incident raises its village to Sangat Rawan; the ranking says why, at 1366 px and on a
360 px phone, the incident's own words drawn as text."""

import pytest
from playwright.sync_api import expect

from election_day.services.incidents import incident_report
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1366, "height": 768}
PASSWORD = "Sandi-Uji-12345"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_ranking_shows_why_a_village_was_raised(open_page, w):
    incident = incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=3,
        description="Bentrok dua kubu di TPS 1 <b>tebal</b>",
        by=w.leader_user,
    )[0]
    reason = f"Kejadian #{incident.pk} tingkat 3"
    for size, name in ((WALL, "ranking-override-reason"), (PHONE, "ranking-override-reason-phone")):
        page, console = open_page(size)
        login(page, w.kabag.username, PASSWORD)
        page.goto(f"/operasi/{w.operation.pk}/peringkat/")
        row = page.locator("tbody tr", has_text=w.own[0].desa.name)
        expect(row.locator(".override-reason")).to_contain_text(reason)
        expect(row.locator(".override-reason")).to_contain_text("<b>tebal</b>")  # text, not markup
        assert page.evaluate(OVERFLOW) <= 0
        row.scroll_into_view_if_needed()
        screenshot(page, name, full_page=False)
        assert console.take() == []

"""Every page a Polsek officer opens fits a 360 px phone (issue 11, item 15): nothing scrolls
sideways, and every link and button can be reached and tapped (in the viewport once scrolled to,
and not covered by anything else at its centre)."""

import io
import re

import pytest
from django.core.management import call_command

from operations.models import RiskReport
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# For each link and button (visible ones): scrolled into view, is it inside the viewport, and is
# the element at its centre the control itself or something inside it?
UNREACHABLE = """() => {
  const out = [];
  for (const el of document.querySelectorAll("main a[href], main button, header a[href], header button")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    el.scrollIntoView({block: "center", inline: "nearest"});
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const inside = r.left >= 0 && r.right <= window.innerWidth && y >= 0 && y <= window.innerHeight;
    const hit = document.elementFromPoint(x, y);
    if (!inside || !(hit && (hit === el || el.contains(hit)))) {
      const name = el.textContent.trim() || el.outerHTML.slice(0, 60);
      out.push(`${name} at x=${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  window.scrollTo(0, 0);
  return out;
}"""


def _check_fits(page, url: str) -> None:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width} px wide"
    assert page.evaluate(UNREACHABLE) == [], url


def test_every_polsek_page_fits_a_phone_and_every_action_can_be_tapped(open_page):
    call_command("load_demo", stdout=io.StringIO())
    page, _console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    returned = RiskReport.objects.get(author__username="polsek.carenang", status=RiskReport.Status.RETURNED)

    # The pages the officer can open: those his menu links to, and the report pages.
    page.goto("/")
    menu = page.eval_on_selector_all("header a[href]", "links => links.map(a => new URL(a.href).pathname)")
    pages = sorted({*menu, "/", "/laporan/", "/laporan/baru/", f"/laporan/{returned.pk}/ubah/"})
    for url in pages:
        _check_fits(page, url)

    page.goto("/laporan/")
    fix = page.get_by_role("link", name="Ubah / ajukan")
    fix.first.click()
    page.wait_for_url(re.compile(r"/laporan/\d+/ubah/$"))
    page.goto("/laporan/")
    screenshot(page, "phone-report-list", full_page=True)

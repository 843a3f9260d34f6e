"""Every page of the authorization matrix, opened in Chromium by each role that may see it (issue 18,
item 7 and its tests): a Polsek officer's pages on a 360 px phone, HQ's at 1366 px.

On each page: nothing scrolls sideways (document.scrollWidth <= innerWidth), and axe-core (the copy
bundled with axe-playwright-python, no network) finds no serious or critical WCAG 2.1 A/AA violation.

The page list is the matrix's own (tests/test_authorization_matrix.py): its URL patterns, the roles
its table allows a GET, the objects its world builds. Left out, each for a stated reason: the API
(JSON, not pages), Django's admin site (Django's own templates), the API's documentation viewers
(Swagger UI and ReDoc, third-party pages) and any answer that is not an HTML page (downloads,
the service worker, redirects to a file, fragments that htmx puts into a page).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from operations.demo import LOGINS
from tests.e2e.conftest import PHONE, login, screenshot
from tests.test_authorization_matrix import (
    ANON,
    DEMO_USERNAMES,
    KABAG,
    PIMP,
    POLSEK_A,
    ROUTES,
    _build_world,
    build_url,
    expected_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1366, "height": 768}
VIEWPORT = {ANON: PHONE, POLSEK_A: PHONE, KABAG: WALL, PIMP: WALL}
# Third-party documentation viewers, and the language switch (a redirect back to the page it was
# asked from, checked there).
NOT_PAGES = ("api-docs", "api-redoc", "set_language")
# WCAG 2.1 A and AA rules only (axe also runs best-practice rules unless told).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = ("serious", "critical")
# A table inside a box that scrolls or clips sideways hides its last columns without widening the
# page (the ranking's last column was cut off at 1366 px): each such table, with its overflow.
TABLES_CUT = """() => [...document.querySelectorAll("main table")].flatMap((table) => {
  for (let box = table.parentElement; box && box !== document.body; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== "visible" && box.scrollWidth > box.clientWidth + 1) {
      return [`table "${(table.querySelector("th") || table).textContent.trim().slice(0, 30)}"`
              + ` is ${box.scrollWidth} px in a ${box.clientWidth} px box`];
    }
  }
  return [];
})"""
# One page each role must have had checked, so a broken page list cannot pass by checking nothing.
MUST_CHECK = {
    ANON: "/accounts/login/",
    POLSEK_A: "/laporan/baru/",
    KABAG: "/laporan/antrian/",
    PIMP: "/dasbor/",
}
# Pages kept as pictures (test-artifacts/, copied to docs/screenshots/ for the README).
SCREENSHOTS = {(PIMP, "/dasbor/"): "dashboard-1366", (KABAG, "/peringkat/"): "ranking-1366"}


def _pages_of(role: str) -> list:
    return [
        route
        for route in ROUTES
        if not route.is_api
        and not route.key.startswith(("admin:", "<unnamed> admin/"))
        and route.key not in NOT_PAGES
        and role in (expected_for(route.key) or {}).get("GET", ())
    ]


def _password(username: str) -> str:
    return next(x.password for x in LOGINS if x.username == username)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the evidence file the world attaches
    return _build_world()


@pytest.mark.parametrize("role", [ANON, POLSEK_A, KABAG, PIMP])
def test_every_page_fits_its_screen_and_passes_wcag_aa(open_page, world, role):
    page, _console = open_page(VIEWPORT[role])
    if role != ANON:
        username = DEMO_USERNAMES[role]
        login(page, username, _password(username))
    axe = Axe()
    checked, problems = [], []
    for route in _pages_of(role):
        url = build_url(route, world)
        # Asked first with the context's cookies: a download would abort the page's navigation,
        # and a fragment (the board's team of a village, fetched by htmx) is checked in its page.
        answer = page.request.get(url)
        if "text/html" not in answer.headers.get("content-type", "") or "<html" not in answer.text()[:300]:
            continue
        response = page.goto(url)
        assert response.status < 400, f"{url} answered {response.status} to {role}"
        checked.append(url)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{url}: {width[0]} px wide in a {width[1]} px window")
        problems += [f"{url}: {cut}" for cut in page.evaluate(TABLES_CUT)]
        if (role, url) in SCREENSHOTS:
            screenshot(page, SCREENSHOTS[role, url])
        results = axe.run(page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                problems.append(
                    f"{url}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets}"
                )
    assert MUST_CHECK[role] in checked, checked
    assert problems == [], "\n".join(problems)

"""Real-browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; the test's own ORM calls (setting up
and checking data) are still plain synchronous code, so Django's async guard is switched off. It is
off for the whole session, not per test: the session-scoped browser keeps that loop running until the
end, so any later test in the same process would trip the guard too.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

from election_day.seed import seed_incident_categories
from operations.seed import seed_catalogues
from tests.election_day.world import build

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("PILKADES_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/ensure_chromium.sh` (apt-get install chromium)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def _plain_http_cookies(settings):
    """The live server speaks plain http; secure-only cookies would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0


class Console:
    """Collects browser console errors and uncaught exceptions; a journey ends with none."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


@pytest.fixture
def open_page(browser, live_server, _plain_http_cookies) -> Iterator:
    """open_page(viewport) -> (page, console): a fresh browser context per call, closed after the test."""
    contexts = []

    def open_(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="id-ID")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        return page, Console(page)

    yield open_
    for context in contexts:
        context.close()


def login(page, username: str, password: str) -> None:
    """Through the real login form (django-axes only counts and allows real POSTs)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def w(make_user):
    """Election day's world (tests/election_day/world.py) for a browser test: the test is
    transactional, so it starts from flushed tables and the seeded catalogues are written again."""
    seed_catalogues(apps)
    seed_incident_categories(apps)
    return build(make_user)

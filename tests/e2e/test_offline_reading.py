"""Reading without signal (issue 15): the officer's post and the report form open from the phone.

Each successful visit of a field page leaves its copy in the worker's cache (his postings, his
villages, the indicator catalogue are in those pages); opened without signal, the copy says when
it was last refreshed. Nothing else is kept: not the HQ pages, not the API's answers.
"""

import pytest
from playwright.sync_api import expect

from operations.models import RiskIndicator
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOTH_WORKERS_ACTIVE = """async () => {
  for (let i = 0; i < 150; i++) {
    const regs = await navigator.serviceWorker.getRegistrations();
    if (regs.length === 2 && regs.every((r) => r.active && r.active.state === "activated")) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}"""
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""


def _offline_open(page, path: str) -> None:
    page.context.set_offline(True)
    # (Offline, the page's "load" can wait on the worker's failed network tries: its content is enough.)
    page.goto(path, wait_until="domcontentloaded")


def test_post_page_opens_offline_with_its_postings_and_when_they_were_refreshed(open_page, w):
    page, _console = open_page(PHONE)
    login(page, w.leader_user.username, "Sandi-Uji-12345")
    page.goto("/hari-h/")
    assert page.evaluate(BOTH_WORKERS_ACTIVE)
    page.reload()  # a visit under the worker: its copy refreshed
    expect(page.locator("#cached-at")).to_be_hidden()  # fresh from the network: nothing to say

    _offline_open(page, "/hari-h/")
    card = page.locator(f"#checkin-{w.leader.pk}")
    expect(card.get_by_role("button", name="Tiba di lokasi")).to_be_visible()
    expect(page.locator("main")).to_contain_text(w.own[0].desa.name)
    expect(page.locator("#cached-at")).to_be_visible()
    expect(page.locator("#cached-at")).to_contain_text("terakhir diperbarui")
    screenshot(page, "offline-post-360")

    page.context.set_offline(False)
    page.goto("/hari-h/")
    expect(page.locator("#cached-at")).to_be_hidden()


def test_report_form_opens_offline_with_the_catalogue_and_no_hq_page_is_kept(open_page, w):
    page, _console = open_page(PHONE)
    login(page, w.polsek_user.username, "Sandi-Uji-12345")
    page.goto("/laporan/baru/")
    assert page.evaluate(BOTH_WORKERS_ACTIVE)
    page.reload()
    page.goto("/laporan/")  # his own list: not a field page
    page.goto("/laporan/baru/")

    paths = page.evaluate(CACHED_PATHS)
    field = {"/hari-h/", "/hari-h/kejadian/baru/", "/hari-h/antrian/", "/laporan/baru/"}
    assert "/laporan/baru/" in paths
    assert {p for p in paths if not p.startswith("/static/")} <= field  # no HQ page, no API answer

    _offline_open(page, "/laporan/baru/")
    for village in w.own:
        expect(page.locator(f"#id_village_election option[value='{village.pk}']")).to_have_count(1)
    for indicator in RiskIndicator.objects.filter(is_active=True):
        expect(page.locator(f"[name=value_{indicator.code}]").first).to_be_attached()
    expect(page.locator("#cached-at")).to_contain_text("terakhir diperbarui")
    screenshot(page, "offline-report-form-360")

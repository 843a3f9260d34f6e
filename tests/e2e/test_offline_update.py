"""A release of the field app does not lose what waits on the phone (issue 15), Chromium at 360 px.

The service worker's cache is named for a hash of the shell's files (``election_day.offline
.shell_version``); a release that changes one of them serves a worker with another version, which
the browser installs beside the running one and which takes over at the next open of a field page.
The queue lives in IndexedDB, not in that cache: items queued under the old release are still
there under the new one, and are sent once each when they get through.
"""

import copy
import re
import shutil

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect
from rest_framework.response import Response

from election_day import offline
from election_day.api.views import CheckInViewSet, ProgressViewSet
from election_day.models import CheckIn, ProgressStep
from tests.e2e.conftest import PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE_VERSION = """async (version) => {
  for (let i = 0; i < 150; i++) {
    const regs = await navigator.serviceWorker.getRegistrations();
    const names = await caches.keys();
    const active = regs.length === 2 && regs.every((r) => r.active && r.active.state === "activated");
    if (active && names.includes("pilkades-lapangan-" + version)) return names;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}"""
TAKE_OVER = """async () => {
  // What a field page does at its next open (static/js/field-queue.js): a worker waiting is told to
  // take over. Each registration checks for the new release first.
  for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.update().catch(() => null);
  for (let i = 0; i < 200; i++) {
    const regs = await navigator.serviceWorker.getRegistrations();
    regs.forEach((r) => r.waiting && r.waiting.postMessage("activate-now"));
    if (regs.every((r) => r.active && !r.waiting && !r.installing)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}"""


@pytest.fixture
def release(settings, tmp_path):
    """release() -> the new version: one template of the shell changed, as the next deploy would
    bring it (a template directory ahead of the app's holds the changed copy)."""

    def release_() -> str:
        name = "election_day/_queue_status.html"
        changed = tmp_path / "templates" / name
        changed.parent.mkdir(parents=True)
        source = django_settings.BASE_DIR / "templates" / name
        shutil.copyfile(source, changed)
        with changed.open("a") as handle:
            handle.write("{# rilis berikutnya #}\n")
        templates = copy.deepcopy(settings.TEMPLATES)
        templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
        settings.TEMPLATES = templates
        offline.shell_version.cache_clear()
        return offline.shell_version()

    offline.shell_version.cache_clear()
    yield release_
    offline.shell_version.cache_clear()


def test_release_keeps_the_queued_items_and_sends_each_once(open_page, w, release, monkeypatch):
    page, console = open_page(PHONE)
    context = page.context
    login(page, w.leader_user.username, "Sandi-Uji-12345")
    page.goto("/hari-h/")
    old = offline.shell_version()
    assert page.evaluate(ACTIVE_VERSION, old) is not None
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.goto("/hari-h/")
    page.locator(f"#checkin-{w.leader.pk}").get_by_role("button", name="Tiba di lokasi").click()
    progress = page.locator(f"#progress-{w.operation.pk}-{w.own[0].pk}")
    progress.locator("select[name=stage]").select_option("tps_open")
    progress.get_by_role("button", name="Perbarui").click()
    expect(page.locator("#queue-status")).to_have_text("2 menunggu dikirim")

    new = release()
    assert new != old
    # Signal again, but the server cannot take the phone's posts yet (503: "later", the queue keeps
    # them waiting): the items must wait while the release installs.
    refused = []

    def unavailable(self, request, *args, **kwargs):
        refused.append(request.path)
        return Response({"detail": "Sedang sibuk."}, status=503)

    monkeypatch.setattr(CheckInViewSet, "create", unavailable)
    monkeypatch.setattr(ProgressViewSet, "create", unavailable)
    context.set_offline(False)
    page.goto("/hari-h/")  # with signal: the new release is found and installed beside the old
    assert page.evaluate(TAKE_OVER)
    page.reload()  # the page now runs under the new release, whose cache replaced the old one
    assert page.evaluate(ACTIVE_VERSION, new) is not None
    only_new = f"""() => caches.keys().then((names) =>
        names.filter((n) => n.startsWith("pilkades-lapangan-")).join() === "pilkades-lapangan-{new}")"""
    page.wait_for_function(only_new)
    assert refused  # the queue tried, and was told to wait
    expect(page.locator("#queue-status")).to_have_text("2 menunggu dikirim")

    # Offline under the new release: the field pages open from its cache, the items still wait.
    context.set_offline(True)
    # (Offline, the page's "load" can wait on the worker's failed network tries: its content is enough.)
    page.goto("/hari-h/antrian/", wait_until="domcontentloaded")
    expect(page.locator("#queue-list li[data-state=menunggu]")).to_have_count(2)
    page.goto("/hari-h/kejadian/baru/", wait_until="domcontentloaded")
    expect(page.locator("#id_description")).to_be_visible()
    assert (CheckIn.objects.count(), ProgressStep.objects.count()) == (0, 0)

    monkeypatch.undo()  # the server takes posts again
    context.set_offline(False)
    page.goto("/hari-h/antrian/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-list li[data-state=terkirim]")).to_have_count(2, timeout=20_000)
    page.get_by_role("button", name="Kirim sekarang").click()  # a resend stores nothing twice
    page.wait_for_timeout(500)
    assert (CheckIn.objects.count(), ProgressStep.objects.count()) == (1, 1)
    errors = [e for e in console.take() if not re.search(r"ERR_INTERNET_DISCONNECTED|status of 503", e)]
    assert errors == []

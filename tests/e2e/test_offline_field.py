"""The field app without signal (issue 15), in Debian's Chromium at 360 px against the live server.

Offline, an officer checks in, moves his village on and reports an incident with a photo; the items
wait on the phone (also across a reload), go out in the order they were made once the connection is
back, are stored once each with the phone's time, and logging out leaves nothing on the phone.
"""

import io
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from election_day.models import CheckIn, Incident, IncidentPhoto, ProgressStep
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE_COUNT = """() => new Promise((resolve) => {
  const open = indexedDB.open("pilkades-lapangan");
  open.onupgradeneeded = () => open.result.createObjectStore("antrian", {keyPath: "id"});
  open.onsuccess = () => {
    const r = open.result.transaction("antrian").objectStore("antrian").count();
    r.onsuccess = () => { open.result.close(); resolve(r.result); };
  };
})"""


def _photo(tmp_path):
    path = tmp_path / "tkp.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), "#884422").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_officer_works_offline_and_everything_arrives_once_in_order(open_page, w, tmp_path):
    page, console = open_page(PHONE)
    context = page.context
    login(page, w.leader_user.username, "Sandi-Uji-12345")
    page.goto("/hari-h/")
    worker = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")
    assert worker.endswith("/hari-h/sw.js")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto("/hari-h/kejadian/baru/")  # cached on install too; this visit refreshes it

    context.set_offline(True)
    started = time.perf_counter()
    page.goto("/hari-h/")
    opened_offline_s = time.perf_counter() - started
    print(f"field page opened offline in {opened_offline_s:.3f} s")
    card = page.locator(f"#checkin-{w.leader.pk}")
    card.get_by_role("button", name="Tiba di lokasi").click()
    expect(page.locator("#queue-status")).to_have_text("1 menunggu dikirim")
    progress = page.locator(f"#progress-{w.operation.pk}-{w.own[0].pk}")
    progress.locator("select[name=stage]").select_option("tps_open")
    progress.get_by_role("button", name="Perbarui").click()
    expect(page.locator("#queue-status")).to_have_text("2 menunggu dikirim")

    page.goto("/hari-h/kejadian/baru/")
    page.select_option("#id_operation", str(w.operation.pk))
    page.select_option("#id_village_election", str(w.own[0].pk))
    page.select_option("#id_category", "keributan")
    page.select_option("#id_severity", "2")
    page.fill("#id_description", "Massa berkumpul di depan TPS 2")
    page.set_input_files("#id_photos", str(_photo(tmp_path)))
    page.wait_for_timeout(500)  # the phone downscales the photo
    page.get_by_role("button", name="Kirim ke Posko").click()
    expect(page.locator("#queue-status")).to_have_text("3 menunggu dikirim")

    page.goto("/hari-h/antrian/")
    page.reload()  # still offline: the page and the queue come from the phone
    items = page.locator("#queue-list li")
    expect(items).to_have_count(3)
    expect(page.locator("#queue-list li[data-state=menunggu]")).to_have_count(3)
    screenshot(page, "offline-queue-360")
    assert (CheckIn.objects.count(), ProgressStep.objects.count(), Incident.objects.count()) == (0, 0, 0)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-list li[data-state=terkirim]")).to_have_count(3, timeout=20_000)
    expect(page.locator("#queue-status")).to_be_hidden()
    checkin, step, incident = CheckIn.objects.get(), ProgressStep.objects.get(), Incident.objects.get()
    assert IncidentPhoto.objects.filter(incident=incident).count() == 1
    assert checkin.recorded_at <= step.recorded_at <= incident.reported_at  # sent in the order made
    assert checkin.client_time is not None and checkin.client_time <= checkin.recorded_at
    assert step.client_time is not None and step.client_time <= checkin.recorded_at
    assert incident.client_time is not None and incident.client_time <= checkin.recorded_at
    page.get_by_role("button", name="Kirim sekarang").click()  # a resend stores nothing twice
    page.wait_for_timeout(500)
    assert (CheckIn.objects.count(), ProgressStep.objects.count(), Incident.objects.count()) == (1, 1, 1)

    page.locator("nav.nav").get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate(QUEUE_COUNT) == 0
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert [e for e in console.take() if "ERR_INTERNET_DISCONNECTED" not in e] == []

"""A shared phone (security finding): the next user never sees the previous user's field pages and
never sends his queue, in Debian's Chromium at 360 px against the live server.

Officer A works offline, his session ends without logging out (cookies gone), officer B logs in on
the same browser. Offline, B gets the app's offline page instead of A's copy; with signal, A's item
stays waiting (shown to B only as someone else's) and reaches the server once A logs in again,
stored under A's account.
"""

import pytest
from playwright.sync_api import expect

from election_day.models import Incident
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sandi-Uji-12345"
QUEUE_ITEMS = """() => new Promise((resolve) => {
  const open = indexedDB.open("pilkades-lapangan");
  open.onupgradeneeded = () => open.transaction.abort();  // no queue on the phone: do not make one
  open.onerror = () => resolve([]);
  open.onsuccess = () => {
    const r = open.result.transaction("antrian").objectStore("antrian").getAll();
    r.onsuccess = () => {
      open.result.close();
      resolve(r.result.map((i) => ({user: i.user, state: i.state, reason: i.reason})));
    };
  };
})"""


def _report_incident_offline(page, w):
    page.goto("/hari-h/kejadian/baru/")
    page.select_option("#id_operation", str(w.operation.pk))
    page.select_option("#id_village_election", str(w.own[0].pk))
    page.select_option("#id_category", "keributan")
    page.select_option("#id_severity", "2")
    page.fill("#id_description", "Catatan rahasia petugas A")
    page.get_by_role("button", name="Kirim ke Posko").click()
    expect(page.locator("#queue-status")).to_have_text("1 menunggu dikirim")


def _back_online(page):
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_next_user_on_a_shared_phone_never_sees_or_sends_the_previous_users_work(open_page, w):
    page, console = open_page(PHONE)
    context = page.context
    a, b = w.leader_user, w.member_user  # both posted to own[0]: the server would take B's incident

    # 1–2. A caches his field pages, then queues an incident without signal.
    login(page, a.username, PASSWORD)
    page.goto("/hari-h/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/hari-h/kejadian/baru/")
    context.set_offline(True)
    _report_incident_offline(page, w)
    assert page.evaluate(QUEUE_ITEMS) == [{"user": str(a.pk), "state": "menunggu", "reason": ""}]

    # 3. A's session ends without logging out; with signal, nothing may be sent for him.
    context.clear_cookies()
    _back_online(page)
    page.wait_for_timeout(1500)
    assert Incident.objects.count() == 0
    assert [i["state"] for i in page.evaluate(QUEUE_ITEMS)] == ["menunggu"]

    # 4–5. B logs in on the same phone, then opens the field page without signal.
    login(page, b.username, PASSWORD)
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.goto("/hari-h/")
    shown_user = page.evaluate("document.querySelector('script[data-user]')?.dataset.user ?? null")
    shown_text = page.locator("body").inner_text()
    screenshot(page, "offline-shared-phone-360")

    # 6. Signal returns on that page: A's item must not go out under B's session.
    _back_online(page)
    page.wait_for_timeout(2000)
    stored = [(i.reported_by_id, i.description) for i in Incident.objects.all()]
    assert stored == [], f"A's queued incident was stored under user {stored}; B is {b.pk}"
    assert shown_user != str(a.pk), "B was shown A's cached field page"
    assert "Tanpa sinyal" in shown_text
    assert "Catatan rahasia" not in shown_text

    # With signal B sees A's item only as someone else's, waiting for its owner.
    page.goto("/hari-h/antrian/")
    expect(page.locator("#queue-others")).to_have_text(
        "1 item milik pengguna lain tersimpan di ponsel ini; dikirim setelah pemiliknya masuk lagi."
    )
    expect(page.locator("#queue-list li")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Catatan rahasia")
    page.get_by_role("button", name="Kirim sekarang").click()
    page.wait_for_timeout(1000)
    assert Incident.objects.count() == 0
    assert [i["state"] for i in page.evaluate(QUEUE_ITEMS)] == ["menunggu"]

    # B's own copy (made just now, with signal) opens without signal, and is his.
    context.set_offline(True)
    page.goto("/hari-h/antrian/")
    assert page.evaluate("document.querySelector('script[data-user]').dataset.user") == str(b.pk)
    expect(page.locator("#queue-others")).to_be_visible()
    screenshot(page, "offline-shared-phone-queue-360")
    context.set_offline(False)

    # The server refuses a queued write that names another user, whatever the page does.
    refused = page.evaluate(
        """([url, user]) => fetch(url, {method: "POST", credentials: "same-origin",
             headers: {"X-Pilkades-User": user, "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1],
                       Accept: "application/json"}})
           .then((r) => r.json().then((j) => [r.status, j.detail]))""",
        ["/api/v1/hari-h/incidents/", str(a.pk)],
    )
    assert refused[0] == 409 and "pengguna lain" in refused[1]

    # A's session comes back: his item goes out under his own account.
    context.clear_cookies()
    login(page, a.username, PASSWORD)
    page.goto("/hari-h/antrian/")
    expect(page.locator("#queue-list li[data-state=terkirim]")).to_have_count(1, timeout=20_000)
    incident = Incident.objects.get()
    assert (incident.reported_by_id, incident.description) == (a.pk, "Catatan rahasia petugas A")
    assert incident.client_time is not None
    noise = ("ERR_INTERNET_DISCONNECTED", "Failed to load resource")
    assert [e for e in console.take() if not any(n in e for n in noise)] == []


def test_logging_out_on_a_shared_phone_removes_only_that_users_work(open_page, w):
    """B logging out clears B's queue and pages, never A's waiting item (it was cleared with them:
    a report A made without signal was lost)."""
    page, console = open_page(PHONE)
    context = page.context
    a, b = w.leader_user, w.member_user

    login(page, a.username, PASSWORD)
    page.goto("/hari-h/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/hari-h/kejadian/baru/")
    context.set_offline(True)
    _report_incident_offline(page, w)
    context.clear_cookies()  # A's session ends without logging out
    _back_online(page)

    # B logs in, queues a report of his own without signal, then logs out and accepts losing it.
    login(page, b.username, PASSWORD)
    page.goto("/hari-h/kejadian/baru/")
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.select_option("#id_operation", str(w.operation.pk))
    page.select_option("#id_village_election", str(w.own[0].pk))
    page.select_option("#id_category", "keributan")
    page.select_option("#id_severity", "1")
    page.fill("#id_description", "Laporan petugas B")
    page.get_by_role("button", name="Kirim ke Posko").click()
    expect(page.locator("#queue-status")).to_have_text("1 menunggu dikirim")
    assert sorted(i["user"] for i in page.evaluate(QUEUE_ITEMS)) == sorted([str(a.pk), str(b.pk)])
    # With signal again, B's report still cannot go out (the Posko's server is unreachable for
    # reports), so the logout asks whether to leave it behind.
    context.route("**/api/v1/hari-h/incidents/**", lambda route: route.abort())
    context.set_offline(False)
    page.goto("/hari-h/antrian/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    assert dialogs and dialogs[0].startswith("1 item belum terkirim")

    assert page.evaluate(QUEUE_ITEMS) == [{"user": str(a.pk), "state": "menunggu", "reason": ""}]
    assert Incident.objects.count() == 0

    # A logs in again: his report goes out under his account; B's never existed on the server.
    context.unroute("**/api/v1/hari-h/incidents/**")
    login(page, a.username, PASSWORD)
    page.goto("/hari-h/antrian/")
    expect(page.locator("#queue-list li[data-state=terkirim]")).to_have_count(1, timeout=20_000)
    incident = Incident.objects.get()
    assert (incident.reported_by_id, incident.description) == (a.pk, "Catatan rahasia petugas A")
    noise = ("ERR_INTERNET_DISCONNECTED", "Failed to load resource")
    assert [e for e in console.take() if not any(n in e for n in noise)] == []

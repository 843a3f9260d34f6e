"""The risk report form without signal (issue 15), in Debian's Chromium at 360 px.

The form opens from the phone's copy, a submission made offline waits in the field app's queue,
and one the server refuses (indicators left empty) comes back "ditolak" with the server's reason:
"Perbaiki" reopens it prefilled and, once fixed, it is sent once; another refused one is discarded.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from operations.models import RiskIndicator, RiskReport
from operations.selectors.report_facts import FACT_CODES
from tests.e2e.conftest import PHONE, login
from villages.models import VillageElection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOTH_WORKERS_ACTIVE = """async () => {
  for (let i = 0; i < 100; i++) {
    const regs = await navigator.serviceWorker.getRegistrations();
    if (regs.length === 2 && regs.every((r) => r.active && r.active.state === "activated")) {
      return regs.map((r) => new URL(r.scope).pathname).sort();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}"""


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def _fill_every_indicator(page) -> None:
    # DPT, candidates and committee are answered from the village election's record.
    for indicator in RiskIndicator.objects.filter(is_active=True).exclude(code__in=FACT_CODES):
        if indicator.kind == RiskIndicator.Kind.BOOLEAN:
            page.check(f"#id_value_{indicator.code}_1")  # Tidak
        else:
            page.fill(f"#id_value_{indicator.code}", "1")


def test_refused_offline_report_shows_the_reason_and_is_fixed_or_discarded(open_page, demo):
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    mekarsari = VillageElection.objects.get(desa__name="Mekarsari")
    other = (
        VillageElection.objects.filter(desa__kecamatan=mekarsari.desa.kecamatan)
        .exclude(pk=mekarsari.pk)
        .first()
    )
    before = RiskReport.objects.count()
    page.goto("/laporan/baru/")
    # One registration per field area, nothing wider: HQ pages stay out of the worker's reach.
    assert page.evaluate(BOTH_WORKERS_ACTIVE) == ["/hari-h/", "/laporan/baru/"]
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.goto(f"/laporan/baru/?desa={mekarsari.pk}")  # the phone's copy, made without ?desa
    expect(page.locator("#id_village_election")).to_have_value(str(mekarsari.pk))
    first_key = page.input_value("[name=idempotency_key]")
    page.fill("#id_narrative", "Tanpa sinyal, indikator belum diisi.")
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator("#save-status")).to_contain_text("Koneksi terputus")
    expect(page.locator("#queue-status")).to_have_text("1 menunggu dikirim")

    page.goto(f"/laporan/baru/?desa={other.pk}")
    assert page.input_value("[name=idempotency_key]") != first_key  # a key per report, not the copy's
    page.fill("#id_narrative", "Laporan kedua, juga belum lengkap.")
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator("#queue-status")).to_have_text("2 menunggu dikirim")

    page.goto("/hari-h/antrian/")
    expect(page.locator("#queue-list li[data-state=menunggu]")).to_have_count(2)
    assert RiskReport.objects.count() == before

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator("#queue-list li[data-state=ditolak]")
    expect(refused).to_have_count(2, timeout=20_000)
    expect(refused.first.locator(".queue-state")).to_have_text("ditolak")
    expect(refused.first.locator(".queue-reason")).to_contain_text("Tidak diketahui")
    expect(page.locator("#queue-status")).to_have_text("2 ditolak")
    assert RiskReport.objects.count() == before  # refused: nothing stored

    newest, oldest = refused.nth(0), refused.nth(1)  # the list shows the newest first
    expect(newest).to_contain_text(other.desa.name)
    expect(oldest).to_contain_text("Mekarsari")
    newest.get_by_role("button", name="Buang").click()
    expect(page.locator("#queue-list li")).to_have_count(1)

    refused.get_by_role("link", name="Perbaiki").click()
    page.wait_for_url(re.compile(r"/laporan/baru/\?antrian=\d+$"))
    expect(page.locator("#id_narrative")).to_have_value("Tanpa sinyal, indikator belum diisi.")
    expect(page.locator("#id_village_election")).to_have_value(str(mekarsari.pk))
    expect(page.locator(".js-error").first).to_contain_text("Tidak diketahui")
    assert page.input_value("[name=idempotency_key]") == first_key
    _fill_every_indicator(page)
    page.get_by_role("button", name="Ajukan").click()
    page.wait_for_url(re.compile(r"/laporan/$"))
    expect(page.locator(".messages")).to_contain_text("Laporan diajukan ke Kabag Ops.")

    report = RiskReport.objects.get(idempotency_key=first_key)
    assert report.status == RiskReport.Status.SUBMITTED
    assert report.village_election_id == mekarsari.pk
    # The phone's time of the first "Ajukan", made offline, kept beside the server's later one.
    assert report.client_time is not None and report.client_time < report.submitted_at
    assert RiskReport.objects.count() == before + 1  # the discarded one never reached the server
    page.goto("/hari-h/antrian/")
    expect(page.locator("#queue-list li")).to_have_count(1)
    expect(page.locator("#queue-list li[data-state=terkirim]")).to_have_count(1)
    expect(page.locator("#queue-status")).to_be_hidden()
    errors = [e for e in console.take() if not re.search(r"ERR_INTERNET_DISCONNECTED|status of 400", e)]
    assert errors == []

"""The three journeys of issue #7 in a real browser, each against a live server with the demo data."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from playwright.sync_api import expect
from pypdf import PdfReader

from operations.models import (
    AllocationProposal,
    Assignment,
    Operation,
    RiskIndicator,
    RiskLevel,
    RiskReport,
    Stage,
    VillageStanding,
)
from operations.selectors.report_facts import FACT_CODES, known_facts
from operations.services.reports import AnswerData, report_create, report_submit
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from villages.models import Desa, VillageElection

# The live server reads committed rows, so these tests commit and the tables are flushed after each.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    return Operation.objects.get()


QUEUE_ITEMS = """() => new Promise((resolve) => {
  const open = indexedDB.open("pilkades-lapangan");
  open.onsuccess = () => {
    const r = open.result.transaction("antrian").objectStore("antrian").getAll();
    r.onsuccess = () => {
      open.result.close();
      resolve(r.result.map((i) => ({...i, files: i.files.length})));
    };
  };
})"""


def _only_network_errors(errors: list[str], pattern: str) -> None:
    """The browser itself logs a failed request; those expected are fine, anything else is not."""
    unexpected = [e for e in errors if not re.search(pattern, e)]
    assert unexpected == []


def test_polsek_officer_reports_from_a_phone_through_a_dropped_connection(open_page, demo):
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    nav = page.locator("nav.nav")
    expect(nav).to_contain_text("Laporan kerawanan")
    for hq_only in ("Dasbor", "Peringkat kerawanan", "Penempatan personel", "Verifikasi laporan"):
        expect(nav).not_to_contain_text(hq_only)

    wargasara = VillageElection.objects.get(desa__name="Wargasara")  # Kec. Tirtayasa, another Polsek
    response = page.goto(f"/laporan/baru/?desa={wargasara.pk}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
    _only_network_errors(console.take(), r"status of 404")

    mekarsari = VillageElection.objects.get(desa__name="Mekarsari")
    before = RiskReport.objects.filter(village_election=mekarsari).count()
    page.goto("/")
    nav.get_by_role("link", name="Laporan kerawanan").click()
    page.get_by_role("link", name="Buat laporan baru").click()
    options = page.locator("#id_village_election option")
    expect(options).to_have_count(1 + 15)  # the placeholder and the 15 desa of Carenang and Binuang
    expect(options.filter(has_text="Wargasara")).to_have_count(0)
    page.select_option("#id_village_election", str(mekarsari.pk))
    yes = ("former_head_strong_rival", "split_camps", "conflict_history", "ormas_mobilisation")
    for code in yes:
        page.check(f"#id_value_{code}_0")  # Ya
    page.fill("#id_value_travel_minutes", "10")
    # DPT, candidates and committee are the village election's record, shown and not asked.
    expect(page.locator("[data-known-facts]")).to_contain_text("3 calon terdaftar")
    # "Ajukan" with indicators left empty: refused, the empty ones marked, nothing submitted.
    page.get_by_role("button", name="Ajukan").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("periksa isian")
    expect(page.locator(".js-error").first).to_contain_text("Tidak diketahui")
    submitted = RiskReport.objects.filter(status=RiskReport.Status.SUBMITTED, village_election=mekarsari)
    assert not submitted.exists()
    _only_network_errors(console.take(), r"status of 400")
    for indicator in RiskIndicator.objects.filter(is_active=True).exclude(code__in=(*yes, *FACT_CODES)):
        if indicator.code == "crime_reports":
            page.check("#id_unknown_crime_reports")  # Tidak diketahui
        elif indicator.kind == RiskIndicator.Kind.BOOLEAN:
            page.check(f"#id_value_{indicator.code}_1")  # Tidak
        elif indicator.code != "travel_minutes":
            page.fill(f"#id_value_{indicator.code}", "0")
    page.get_by_role("button", name="Simpan draf").click()
    expect(status).to_contain_text("Draf tersimpan")
    page.wait_for_url(re.compile(r"/laporan/\d+/ubah/$"))
    key = page.input_value("[name=idempotency_key]")
    draft = RiskReport.objects.get(idempotency_key=key)
    assert (draft.status, draft.village_election_id) == (RiskReport.Status.DRAFT, mekarsari.pk)
    assert draft.answers.filter(flag=True).count() == 4 + 1  # and the committee, not formed per the record
    unknown = draft.answers.filter(unknown=True).values_list("indicator__code", flat=True)
    assert list(unknown) == ["crime_reports"]
    assert draft.answers.get(indicator__code="candidate_count").number == 3  # from the record
    # Touch targets: the checkboxes' labels and the buttons are at least 44 px high on the phone.
    assert page.locator("label.check").first.bounding_box()["height"] >= 44
    assert page.get_by_role("button", name="Ajukan").bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "phone-form", full_page=False)

    page.context.set_offline(True)
    page.fill("#id_narrative", "Diketik tanpa sinyal: kubu saling berhadapan di balai desa.")
    page.get_by_role("button", name="Ajukan").click()
    expect(status).to_contain_text("Koneksi terputus")
    # The submission waits in the field app's queue (IndexedDB), with the report's key.
    [queued] = page.evaluate(QUEUE_ITEMS)
    assert (queued["kind"], queued["state"], queued["key"]) == ("report", "menunggu", key)
    assert ["action", "submit"] in queued["fields"]
    assert dict(queued["fields"])["narrative"].startswith("Diketik tanpa sinyal")
    assert RiskReport.objects.get(pk=draft.pk).status == RiskReport.Status.DRAFT

    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/laporan/$"))
    expect(page.locator(".messages")).to_contain_text("Laporan diajukan ke Kabag Ops.")
    row = page.locator("table tbody tr", has_text="Mekarsari").filter(has_text="Diajukan")
    expect(row).to_have_count(1)
    assert page.evaluate("localStorage.length") == 0
    _only_network_errors(console.take(), r"ERR_INTERNET_DISCONNECTED")

    submitted = RiskReport.objects.get(idempotency_key=key)
    assert submitted.status == RiskReport.Status.SUBMITTED
    assert submitted.narrative.startswith("Diketik tanpa sinyal")
    assert RiskReport.objects.filter(village_election=mekarsari).count() == before + 1
    screenshot(page, "journey-1-polsek-submitted")
    assert console.take() == []


def _submitted_mekarsari_report() -> RiskReport:
    """What journey 1 leaves behind: the Polsek's submitted report on Mekarsari."""
    from django.contrib.auth import get_user_model

    author = get_user_model().objects.get(username="polsek.carenang")
    mekarsari = VillageElection.objects.get(desa__name="Mekarsari")
    flags = ["former_head_strong_rival", "split_camps", "conflict_history", "ormas_mobilisation"]
    # The candidates, the DPT and the committee as the village records them: answers must agree.
    recorded = known_facts(village_election_ids=[mekarsari.pk])[mekarsari.pk]
    answers = []
    for indicator in RiskIndicator.objects.filter(is_active=True):
        if indicator.code in recorded:
            value = recorded[indicator.code].answer
            if indicator.kind == RiskIndicator.Kind.BOOLEAN:
                answers.append(AnswerData(indicator_id=indicator.pk, flag=value))
            else:
                answers.append(AnswerData(indicator_id=indicator.pk, number=value))
        elif indicator.kind == RiskIndicator.Kind.BOOLEAN:
            answers.append(AnswerData(indicator_id=indicator.pk, flag=indicator.code in flags))
        else:
            number = Decimal(10 if indicator.code == "travel_minutes" else 0)
            answers.append(AnswerData(indicator_id=indicator.pk, number=number))
    report = report_create(
        village_election=mekarsari,
        author=author,
        narrative="Kubu mantan kades dan pesaingnya sama kuat.",
        answers=answers,
    )
    return report_submit(report=report, by=author)


def test_kabag_ops_verifies_ranks_allocates_and_prints_the_order(open_page, demo):
    report = _submitted_mekarsari_report()
    page, console = open_page(DESKTOP)
    login(page, "kabagops", "Demo-Kabagops-2019!")

    page.locator("nav.nav").get_by_role("link", name="Verifikasi laporan").click()
    card = page.locator("section.card", has_text="Mekarsari")
    expect(card).to_contain_text("Kubu mantan kades dan pesaingnya sama kuat.")
    card.get_by_role("button", name="Verifikasi").click()
    expect(page.locator(".messages")).to_contain_text("Laporan Mekarsari diverifikasi")
    report.refresh_from_db()
    assert report.status == RiskReport.Status.VERIFIED

    page.locator("nav.nav").get_by_role("link", name="Peringkat kerawanan").click()
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("Mekarsari")
    expect(first).to_contain_text("Sangat Rawan")

    page.locator("nav.nav").get_by_role("link", name="Penempatan personel").click()
    page.get_by_role("button", name="Usulkan alokasi").click()
    expect(page.locator("h1")).to_contain_text("Usulan alokasi")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(r"/penempatan/$"))
    standing = VillageStanding.objects.get(village_election__desa__name="Mekarsari")
    assert standing.assigned_personnel >= standing.required_personnel > 0
    # Each village is one line on the board: assigned/need.
    mekarsari_row = page.locator(".village-grid > li", has_text="Mekarsari")
    expect(mekarsari_row.locator(".counts")).to_contain_text(
        f"{standing.assigned_personnel}/{standing.required_personnel}"
    )

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    posted = Assignment.objects.filter(
        operation=demo, stage=Stage.VOTING, village_election=standing.village_election
    ).select_related("officer")
    assert posted and all(a.officer.nrp in text for a in posted)
    assert "Mekarsari" in text

    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "deployment-board", full_page=False)
    # The board's map after the proposal: only the villages still short are outlined as short.
    page.goto("/penempatan/")
    still_short = VillageStanding.objects.filter(
        operation=demo, shortfall__gt=0, village_election__desa__latitude__isnull=False
    ).count()
    expect(page.locator("#map path.village-marker")).not_to_have_count(0)
    expect(page.locator("#map path.village-short")).to_have_count(still_short)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "deployment-board-map-applied", full_page=False)
    page.set_viewport_size(DESKTOP)
    assert console.take() == []


def test_kapolres_sees_the_dashboard_and_cannot_change_anything(open_page, demo):
    page, console = open_page(DESKTOP)
    login(page, "kapolres", "Demo-Kapolres-2019!")
    nav = page.locator("nav.nav")
    expect(nav).not_to_contain_text("Verifikasi laporan")
    expect(nav).not_to_contain_text("Laporan kerawanan")
    nav.get_by_role("link", name="Dasbor").click()
    expect(page.locator("h1")).to_contain_text("Dasbor")

    with_coordinates = Desa.objects.filter(
        village_elections__election=demo.election, latitude__isnull=False
    ).count()
    assert with_coordinates == 16
    expect(page.locator("#map path.village-marker")).to_have_count(with_coordinates)
    expect(page.locator("#map .village-level-3")).to_have_count(
        VillageStanding.objects.filter(operation=demo, level=RiskLevel.SANGAT_RAWAN).count()
    )
    labels = page.locator("#map .kecamatan-label").all_inner_texts()
    assert sorted(labels) == ["Binuang", "Carenang", "Tirtayasa"]

    rows = VillageStanding.objects.filter(operation=demo)
    counts = rows.aggregate(
        n3=Count("pk", filter=Q(level=3)),
        n2=Count("pk", filter=Q(level=2)),
        n1=Count("pk", filter=Q(level=1)),
        total=Count("pk"),
        required=Sum("required_personnel"),
        assigned=Sum("assigned_personnel"),
        short=Sum("shortfall"),
    )
    expect(page.locator("#count-level-3")).to_have_text(str(counts["n3"]))
    expect(page.locator("#count-level-2")).to_have_text(str(counts["n2"]))
    expect(page.locator("#count-level-1")).to_have_text(str(counts["n1"]))
    expect(page.locator("#count-total")).to_have_text(str(counts["total"]))
    expect(page.locator("#personnel-required")).to_have_text(str(counts["required"]))
    expect(page.locator("#personnel-assigned")).to_have_text(str(counts["assigned"]))
    expect(page.locator("#personnel-shortfall")).to_have_text(str(counts["short"]))
    assert counts["short"] > 0
    expect(page.locator("#top-villages tbody tr").first).to_contain_text("Mekarsari")
    expect(page.locator("#waiting-total")).to_have_text(
        str(RiskReport.objects.filter(status=RiskReport.Status.SUBMITTED).count())
    )
    screenshot(page, "dashboard")

    # The map: one filled polygon per village, hatched (never green) where not assessed.
    unassessed = rows.filter(computed_level__isnull=True, is_overridden=False)
    expect(page.locator("#map path.village-unassessed")).to_have_count(unassessed.count())
    page.locator("#map .leaflet-tooltip.desa-label").first.wait_for(state="attached")
    mekarsari = page.locator("#map path.village-marker").nth(
        list(rows.order_by("desa_code").values_list("desa_name", flat=True)).index("Mekarsari")
    )
    mekarsari.click(force=True)
    popup = page.locator("#map .leaflet-popup-content")
    expect(popup.locator("a")).to_have_text("Mekarsari")
    expect(popup).to_contain_text("Carenang")
    standing = rows.get(desa_name="Mekarsari")
    expect(popup).to_contain_text(
        f"kebutuhan {standing.required_personnel} · ditugaskan {standing.assigned_personnel}"
    )
    screenshot(page, "dashboard-map-mainland", full_page=False)
    page.locator(".map-view-islands").click()
    page.wait_for_timeout(400)
    screenshot(page, "dashboard-map-islands", full_page=False)

    # The village page draws the same map: its polygon outlined among its kecamatan's villages.
    page.set_viewport_size({"width": 1366, "height": 900})
    mekarsari_standing = rows.get(desa_name="Mekarsari")
    neighbours = rows.filter(
        kecamatan_id=mekarsari_standing.kecamatan_id, village_election__desa__latitude__isnull=False
    )
    page.goto(f"/desa/{mekarsari_standing.village_election_id}/")
    expect(page.locator("#map path.village-marker")).to_have_count(neighbours.count())
    expect(page.locator("#map path.village-focus")).to_have_count(1)
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "village-map", full_page=False)
    # And the deployment board: every village, outlined in red where short of personnel.
    page.goto("/penempatan/")
    expect(page.locator("#map path.village-marker")).to_have_count(with_coordinates)
    expect(page.locator("#map path.village-short")).to_have_count(
        rows.filter(shortfall__gt=0, village_election__desa__latitude__isnull=False).count()
    )
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "deployment-board-map", full_page=False)
    page.set_viewport_size(DESKTOP)

    for path in ("/peringkat/", "/penempatan/", "/dasbor/"):
        page.goto(path)
        expect(page.locator("main form[method=post]")).to_have_count(0)
    expect(page.get_by_role("button", name="Usulkan alokasi")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"/operasi/{demo.pk}/usulan/", form={"csrfmiddlewaretoken": token}, headers={"X-CSRFToken": token}
    )
    assert refused.status == 403
    assert not AllocationProposal.objects.exists()
    pending = RiskReport.objects.filter(status=RiskReport.Status.SUBMITTED).first()
    refused = page.request.post(f"/laporan/{pending.pk}/verifikasi/", headers={"X-CSRFToken": token})
    assert refused.status == 403
    pending.refresh_from_db()
    assert pending.status == RiskReport.Status.SUBMITTED
    page.goto("/dasbor/")
    page.locator("form.lang select").select_option("en")
    page.locator("form.lang").get_by_role("button").click()
    expect(page.locator("h1")).to_contain_text("Dashboard")
    expect(page.locator("nav.nav")).to_contain_text("Risk ranking")
    expect(page.locator("#map path.village-marker")).to_have_count(with_coordinates)
    screenshot(page, "journey-3-kapolres")
    assert console.take() == []

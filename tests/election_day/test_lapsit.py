"""Lapsit: text for chat, JSON, PDF with escaped text, hourly snapshots, closing with the final report."""

import re
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from election_day.lapsit import lapsit_pdf, lapsit_text
from election_day.models import LapsitSnapshot
from election_day.selectors import lapsit_data
from election_day.services.checkins import checkin_record
from election_day.services.incidents import incident_report, incident_resolve
from election_day.services.lapsit import lapsit_snapshot_take, operation_close
from election_day.services.progress import progress_record
from operations.models import Operation
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(make_user):
    return build(make_user)


def day(w, description="Massa kubu 2 berkumpul di TPS 1"):
    checkin_record(assignment=w.member, kind="arrived", by=w.member_user, idempotency_key=uuid.uuid4())
    progress_record(operation=w.operation, village_election=w.own[0], stage="counting", by=w.leader_user)
    progress_record(
        operation=w.operation, village_election=w.own[1], stage="postponed", reason="Banjir", by=w.kabag
    )
    one = incident_report(
        operation=w.operation,
        village_election=w.own[0],
        category=w.category,
        severity=3,
        description=description,
        by=w.leader_user,
    )[0]
    two = incident_report(
        operation=w.operation,
        village_election=w.own[1],
        category=w.category,
        severity=1,
        description="Logistik terlambat",
        by=w.kabag,
    )[0]
    incident_resolve(incident=two, note="Surat suara tiba 08.10", by=w.kabag)
    return one, two


def test_text_has_time_stages_personnel_incidents_and_notable_events(w):
    one, two = day(w)
    text = lapsit_text(lapsit_data(operation=w.operation))
    assert text.startswith("LAPSIT")
    assert "Hadir 1 dari 3 rencana" in text
    assert "Penghitungan suara: 1" in text and "Ditunda: 1" in text
    open_part, closed_part = text.split("KEJADIAN SELESAI")
    assert f"#{one.pk} [T3]" in open_part and f"#{two.pk} [T1]" in closed_part
    assert "Surat suara tiba 08.10" in closed_part
    assert "menjadi Sangat Rawan" in text and "Ditunda — Banjir" in text
    assert len([line for line in text.splitlines() if line.startswith(f"- #{one.pk} ")]) == 1


def test_pdf_draws_markup_in_names_as_text(w):
    day(w, description='<img src="/etc/passwd"/> <a href="http://x">klik</a> & <b>')
    pdf = lapsit_pdf(lapsit_data(operation=w.operation))
    assert pdf.startswith(b"%PDF-")
    from io import BytesIO

    # Whitespace normalised: where a line wraps depends on the font's widths, not on the escaping.
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    assert '<img src="/etc/passwd"/>' in text and "<b>" in text


# A name from another province, a description typed on a phone: Latin Extended (the PDF must show it
# as typed), CJK and an emoji (the font may lack them; the PDF must still be made).
FAR_DESA = "Désa Ñañu — 東 村 🏔"
FAR_TEXT = "Warga Łódź, Şişli, Đồng Tháp, Ŋgada, Œuvre, ẞtraße, Ærø: «ramai» … ✓"


def test_pdf_draws_names_and_texts_beyond_latin_1(w):
    desa = w.own[0].desa
    desa.name = FAR_DESA
    desa.save()
    day(w, description=FAR_TEXT)
    pdf = lapsit_pdf(lapsit_data(operation=w.operation))
    from io import BytesIO

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    assert "Désa Ñañu —" in text
    assert " ".join(FAR_TEXT.split()) in text
    assert "■" not in text.replace("東", "").replace("村", "").replace("🏔", "")


def test_hourly_snapshot_is_taken_once_per_hour(w):
    out = StringIO()
    call_command("lapsit_snapshot", stdout=out)
    call_command("lapsit_snapshot", stdout=out)
    assert LapsitSnapshot.objects.filter(operation=w.operation, kind="hourly").count() == 1
    assert "sudah ada" in out.getvalue()
    later = timezone.now() + timedelta(hours=1)
    _snapshot, created = lapsit_snapshot_take(operation=w.operation, now=later)
    assert created


def test_closing_makes_the_final_report_with_the_timeline_and_stops_writes(w):
    lapsit_snapshot_take(operation=w.operation, now=timezone.now() - timedelta(hours=2))
    day(w)
    lapsit_snapshot_take(operation=w.operation)
    with pytest.raises(PermissionDenied):
        operation_close(operation=w.operation, by=w.pimpinan)
    final = operation_close(operation=w.operation, by=w.kabag)
    assert final.kind == "final" and final.text.startswith("LAPORAN AKHIR OPERASI")
    assert "KRONOLOGI" in final.text and len(final.data["timeline"]) == 2
    w.operation.refresh_from_db()
    assert w.operation.status == Operation.Status.CLOSED
    with pytest.raises(ValidationError):
        progress_record(operation=w.operation, village_election=w.own[0], stage="done", by=w.kabag)
    with pytest.raises(ValidationError):
        operation_close(operation=w.operation, by=w.kabag)


# --- API and page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("text", "text/plain"), ("json", "application/json"), ("pdf", "application/pdf")],
)
def test_api_lapsit_formats(api_client, w, fmt, content_type):
    day(w)
    api_client.force_authenticate(w.pimpinan)
    response = api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    if fmt == "text":
        assert response.content.decode().startswith("LAPSIT")
    if fmt == "json":
        assert response.json()["personnel"]["present"] == 1 and response.json()["text"].startswith("LAPSIT")


def test_api_lapsit_bad_format_is_400_and_polsek_is_403(api_client, w):
    api_client.force_authenticate(w.pimpinan)
    assert api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format=xml").status_code == 400
    api_client.force_authenticate(w.polsek_user)
    assert api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format=text").status_code == 403


def test_api_close_is_kabag_ops_only_then_lapsit_is_the_final_report(api_client, w):
    api_client.force_authenticate(w.pimpinan)
    assert api_client.post(f"/api/v1/operations/{w.operation.pk}/close/").status_code == 403
    api_client.force_authenticate(w.kabag)
    closed = api_client.post(f"/api/v1/operations/{w.operation.pk}/close/")
    assert closed.status_code == 200 and closed.json()["final"] is True
    assert api_client.post(f"/api/v1/operations/{w.operation.pk}/close/").status_code == 409
    text = api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format=text").content.decode()
    assert text.startswith("LAPORAN AKHIR OPERASI")


def test_lapsit_page_kapolres_reads_kabag_ops_closes(client, w):
    day(w)
    client.force_login(w.pimpinan)
    page = client.get(f"/operasi/{w.operation.pk}/lapsit/")
    assert page.status_code == 200 and b"lapsit-copy" in page.content and b"confirm" not in page.content
    assert client.post(f"/operasi/{w.operation.pk}/tutup/", {"confirm": "1"}).status_code == 403
    client.force_login(w.kabag)
    assert b'name="confirm"' in client.get(f"/operasi/{w.operation.pk}/lapsit/").content
    client.post(f"/operasi/{w.operation.pk}/tutup/", {})
    assert Operation.objects.get(pk=w.operation.pk).status == Operation.Status.ACTIVE
    client.post(f"/operasi/{w.operation.pk}/tutup/", {"confirm": "1"})
    assert Operation.objects.get(pk=w.operation.pk).status == Operation.Status.CLOSED


@pytest.mark.parametrize("fmt", ["text", "pdf"])
def test_api_lapsit_errors_are_json_whatever_format_was_asked(api_client, w, fmt):
    api_client.force_authenticate(w.polsek_user)
    refused = api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format={fmt}")
    api_client.force_authenticate(w.pimpinan)
    missing = api_client.get(f"/api/v1/operations/{w.operation.pk + 999}/lapsit/?format={fmt}")
    for response, status in ((refused, 403), (missing, 404)):
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


def test_lapsit_prints_times_and_dates_in_the_desks_one_format(api_client, w):
    # "20 Oktober 2019, 09.30" and "9.30", as every other page; never "20-10-2019 09:30".
    day(w)
    api_client.force_authenticate(w.pimpinan)
    text = api_client.get(f"/api/v1/operations/{w.operation.pk}/lapsit/?format=text").content.decode()
    assert re.search(r"^Waktu: \d{1,2} \w+ \d{4}, \d{2}\.\d{2} WIB$", text, re.MULTILINE), text[:300]
    assert not re.search(r"\d:\d\d|\d{2}-\d{2}-\d{4}", text), text

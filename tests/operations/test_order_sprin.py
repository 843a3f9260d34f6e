"""Issue 13 (5): a lampiran Sprin a Kabag Ops can put before the Kapolres: numbered pages, the
order's own number and date, command line, teams by kecamatan and risk, escorts under their
candidate, reserve, totals, a signature block, and one extract per Polsek."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from operations.models import Duty, Officer, Position, RiskLevel, VillageStanding
from operations.ranks import Pangkat
from operations.services.assignments import assignment_create
from pilkades.pdf import FONT, FONT_BOLD
from tests.factories import CandidateFactory, OfficerFactory, UnitFactory
from tests.operations.deployment_setup import build_world, officers
from villages.models import Candidate, Desa

pytestmark = pytest.mark.django_db


@pytest.fixture
def sprin(make_user):
    world = build_world(make_user)
    operation = world.operation
    kapolres = OfficerFactory(
        unit=world.polres,
        rank=Pangkat.AKBP,
        name="Mariyo Kapolres",
        jabatan=Position.objects.get(name="Kapolres"),
    )
    operation.sprin_number = "Sprin/1234/X/2019"
    operation.order_date = datetime.date(2019, 10, 1)
    operation.order_basis = "Undang-Undang Nomor 2 Tahun 2002\nRencana Operasi Aman Pilkades"
    operation.order_purpose = "Melaksanakan pengamanan Pilkades serentak"
    operation.signatory_name = "Mariyo Kapolres"
    operation.signatory_rank = Pangkat.AKBP
    operation.signatory_nrp = kapolres.nrp
    operation.save()
    VillageStanding.objects.filter(operation=operation, village_election=world.own[1]).update(
        level=RiskLevel.SANGAT_RAWAN
    )
    kapolsek = OfficerFactory(
        unit=world.polsek,
        rank=Pangkat.AKP,
        name="Budi Kapolsek",
        jabatan=Position.objects.get(name="Kapolsek"),
    )
    candidate = CandidateFactory(village_election=world.own[0], ballot_number=1, full_name="Haji Sarmin")
    posted = []
    for village in world.own:
        for officer in officers(world.polsek, 2):
            posted.append(officer)
            assignment_create(
                operation=operation,
                officer=officer,
                duty=Duty.VILLAGE_GUARD,
                village_election=village,
                by=world.kabag,
            )
    for officer in officers(world.polres, 2):
        posted.append(officer)
        assignment_create(
            operation=operation,
            officer=officer,
            duty=Duty.CLOSE_ESCORT,
            village_election=world.own[0],
            candidate=candidate,
            by=world.kabag,
        )
    (foreign_guard,) = officers(world.other_polsek, 1)
    posted.append(foreign_guard)
    assignment_create(
        operation=operation,
        officer=foreign_guard,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.foreign,
        by=world.kabag,
    )
    (free,) = officers(world.polsek, 1, name="Joko Cadangan")
    return world, {
        "kapolres": kapolres,
        "kapolsek": kapolsek,
        "posted": posted,
        "free": free,
        "foreign": foreign_guard,
    }


def get(client, world, file_format, **params):
    client.force_login(world.kabag)
    return client.get(
        reverse("deployment-order", args=[world.operation.pk, file_format]), params, HTTP_ACCEPT_LANGUAGE="id"
    )


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_pdf_has_page_numbers_header_date_command_line_and_signature(client, sprin):
    world, people = sprin

    pages = pdf_pages(get(client, world, "pdf"))

    text = "\n".join(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Hal. {number} dari {len(pages)}" in page
    assert "No." in [line.strip() for line in text.splitlines()]
    assert "Sprin/1234/X/2019" in text
    assert "1 Oktober 2019" in text
    assert timezone.localdate().strftime("%d-%m-%Y") not in text
    assert "Undang-Undang Nomor 2 Tahun 2002" in text and "Melaksanakan pengamanan Pilkades" in text
    assert "Garis komando" in text and "Pengendali" in text
    assert "KEPALA KEPOLISIAN RESOR" in text
    assert re.search(rf"AKBP NRP {people['kapolres'].nrp}", text)
    assert "Haji Sarmin (No. 1)" in text
    assert "Cadangan" in text and "Joko Cadangan" in text
    # Scores with the Indonesian decimal comma, as on the pages.
    assert re.findall(r"skor \d+,\d\d", text) and not re.findall(r"skor \d+\.\d", text)


def test_pdf_lists_every_officer_exactly_once(client, sprin):
    world, people = sprin

    text = "\n".join(pdf_pages(get(client, world, "pdf")))

    for officer in [*people["posted"], people["free"], people["kapolsek"]]:
        assert text.count(officer.nrp) == 1, officer.name


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_and_xlsx_have_every_officer_once_with_reserve_and_risk_order(client, sprin):
    world, people = sprin

    rows = csv_rows(get(client, world, "csv"))
    sheet = load_workbook(io.BytesIO(get(client, world, "xlsx").content)).worksheets[0]
    xlsx_rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]

    header, body = rows[0], rows[1:]
    nrp = header.index("NRP")
    for officer in [*people["posted"], people["free"], people["kapolsek"], people["kapolres"]]:
        assert [r[nrp] for r in body].count(officer.nrp) == 1, officer.name
        assert [r[nrp] for r in xlsx_rows].count(officer.nrp) == 1, officer.name
    reserve = [r for r in body if r[0] == "Cadangan"]
    assert [r[header.index("Nama")] for r in reserve] == ["Joko Cadangan"]
    desa_order = [r[2] for r in body if r[0] == "Desa" and r[1] == world.own[0].desa.kecamatan.name]
    assert desa_order[0] == world.own[1].desa.name  # Sangat Rawan before Rawan
    assert sheet["B2"].value == "Tanggal: 1 Oktober 2019"


def test_polsek_extract_holds_only_that_polseks_villages_and_officers(client, sprin):
    world, people = sprin

    body = csv_rows(get(client, world, "csv", polsek=world.other_polsek.pk))[1:]
    text = "\n".join(pdf_pages(get(client, world, "pdf", polsek=world.other_polsek.pk)))

    villages = {r[2] for r in body if r[0] == "Desa"}
    assert villages == {world.foreign.desa.name}
    assert people["foreign"].nrp in text
    for village in world.own:
        assert village.desa.name not in text
    assert people["free"].nrp not in text
    assert f"Petikan untuk {world.other_polsek.name}" in text


@pytest.mark.parametrize("value", ["abc", "-1", "999999", "kapolres"])
def test_bad_polsek_is_a_400_on_the_page_and_the_api(client, api_client, sprin, value):
    world, _people = sprin
    if value == "kapolres":
        value = str(world.polres.pk)  # a unit, but no Polsek
    api_client.force_authenticate(world.kabag)

    page = get(client, world, "csv", polsek=value)
    api = api_client.get(f"/api/v1/operations/{world.operation.pk}/order.csv", {"polsek": value})

    assert page.status_code == 400
    assert "Polsek" in page.content.decode()
    assert api.status_code == 400
    assert "polsek" in api.json()["errors"]


def test_api_order_extract_per_polsek(api_client, sprin):
    world, people = sprin
    api_client.force_authenticate(world.kabag)

    response = api_client.get(
        f"/api/v1/operations/{world.operation.pk}/order.csv", {"polsek": world.polsek.pk}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert world.foreign.desa.name not in text
    assert people["free"].nrp in text
    UnitFactory()  # the extract never needed other units


# Names from other provinces, with Latin Extended letters that reportlab's Helvetica (WinAnsi
# only) drew as black boxes.
FAR_KAPOLRES = "Łukasz Şişli"
FAR_GUARD = "Ŋgada Đồng"
FAR_DESA = "Łódź Đồng"
FAR_CANDIDATE = "ẞtraße Ŋgada"


@pytest.mark.parametrize("via", ["page", "api"])
def test_pdf_draws_names_beyond_latin_1_in_the_shared_font(client, api_client, sprin, via):
    world, people = sprin
    Officer.objects.filter(pk=people["kapolres"].pk).update(name=FAR_KAPOLRES)
    Officer.objects.filter(pk=people["posted"][0].pk).update(name=FAR_GUARD)
    Desa.objects.filter(pk=world.own[0].desa_id).update(name=FAR_DESA)
    Candidate.objects.filter(village_election=world.own[0]).update(full_name=FAR_CANDIDATE)
    world.operation.signatory_name = FAR_KAPOLRES
    world.operation.save()

    if via == "page":
        response = get(client, world, "pdf")
    else:
        api_client.force_authenticate(world.kabag)
        response = api_client.get(f"/api/v1/operations/{world.operation.pk}/order.pdf")
    pages = pdf_pages(response)

    # Whitespace normalised: where a cell wraps depends on the font's widths.
    text = " ".join(" ".join(page.split()) for page in pages)
    assert f"Desa {FAR_DESA} —" in text
    assert text.count(FAR_KAPOLRES) == 2  # the command line and the signature
    assert FAR_GUARD in text
    assert f"{FAR_CANDIDATE} (No. 1)" in text
    assert "■" not in text
    # Every text on every page, the page numbers and the footer too, is drawn in pilkades.pdf's font.
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.split("+")[-1].lstrip("/") in {FONT, FONT_BOLD} for name in fonts), fonts

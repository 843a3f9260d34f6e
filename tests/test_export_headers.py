"""Column headings of every export, in Indonesian, exactly.

Short msgids are a trap: Django merges the Indonesian catalogues of every installed app, and
Django's own translates "No" as the negation "Tidak". A heading read from another app's catalogue
shows up here as a wrong word.
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from operations.models import Duty, Officer
from operations.roster import roster_export
from operations.services.assignments import assignment_create
from tests.operations.deployment_setup import build_world, officers
from villages.services import regions_export

pytestmark = pytest.mark.django_db

# Issue 13: the lampiran Sprin's one layout (section, place, then the officer columns shared by
# every table of the PDF). "No." carries a pgettext context: a bare "No" is Django's "Tidak".
ORDER_TEAM_HEADERS = ["No.", "Nama", "Pangkat", "NRP", "Jabatan", "Satuan", "Tugas", "Keterangan"]
ORDER_HEADERS = ["Bagian", "Kecamatan", "Desa", "Tingkat", *ORDER_TEAM_HEADERS]
UNIT_TOTAL_HEADERS = ["Satuan", "Desa/TPS", "Pam melekat", "Tim kapal", "Patroli", "Cadangan", "Jumlah"]
LEVEL_TOTAL_HEADERS = ["Tingkat", "Desa", "Kebutuhan", "Ditugaskan", "Kekurangan"]
RANKING_HEADERS = [
    "No.",
    "Kode desa",
    "Desa",
    "Kecamatan",
    "Polsek",
    "Tingkat",
    "Ditetapkan manual",
    "Alasan penetapan",
    "Skor",
    "DPT",
    "TPS",
    "Calon dikawal",
    "Kebutuhan personel",
    "Personel ditugaskan",
    "Kekurangan",
]
REGION_HEADERS = ["kode", "nama"]
ROSTER_HEADERS = ["NRP", "Nama", "Pangkat", "Jabatan", "Satuan", "Kode Desa Asal", "Telepon", "Aktif"]


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    (officer,) = officers(world.polres, 1, name="Slamet Riyadi")
    assignment_create(
        operation=world.operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    return world


def _get(client, world, name: str, file_format: str) -> bytes:
    client.force_login(world.kabag)
    response = client.get(reverse(name, args=[world.operation.pk, file_format]), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    return response.content


def test_order_csv_headers(client, world):
    rows = list(csv.reader(io.StringIO(_get(client, world, "deployment-order", "csv").decode())))

    assert rows[0] == ORDER_HEADERS


def test_order_xlsx_headers(client, world):
    workbook = load_workbook(io.BytesIO(_get(client, world, "deployment-order", "xlsx")))

    assert [cell.value for cell in workbook.worksheets[0][3]] == ORDER_HEADERS
    assert [cell.value for cell in workbook.worksheets[1][1]] == UNIT_TOTAL_HEADERS
    assert [cell.value for cell in workbook.worksheets[2][1]] == LEVEL_TOTAL_HEADERS


def _contains_run(lines: list[str], run: list[str]) -> bool:
    return any(lines[start : start + len(run)] == run for start in range(len(lines)))


def test_order_pdf_headers(client, world):
    reader = PdfReader(io.BytesIO(_get(client, world, "deployment-order", "pdf")))
    lines = [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]

    # pypdf gives a table's cells one per line, in order.
    assert _contains_run(lines, ORDER_TEAM_HEADERS)
    assert _contains_run(lines, UNIT_TOTAL_HEADERS)
    assert _contains_run(lines, LEVEL_TOTAL_HEADERS)


def test_ranking_csv_headers(client, world):
    text = _get(client, world, "ranking-download", "csv").decode("utf-8-sig")

    assert next(csv.reader(io.StringIO(text))) == RANKING_HEADERS


def test_ranking_xlsx_headers(client, world):
    sheet = load_workbook(io.BytesIO(_get(client, world, "ranking-download", "xlsx"))).active

    assert [cell.value for cell in sheet[2]] == RANKING_HEADERS


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_region_and_roster_export_headers(world, file_format):
    with translation.override("id"):
        regions = regions_export(file_format=file_format)
        roster = roster_export(file_format=file_format, queryset=Officer.objects.all())
    if file_format == "csv":
        assert next(csv.reader(io.StringIO(regions.decode()))) == REGION_HEADERS
        assert next(csv.reader(io.StringIO(roster.decode()))) == ROSTER_HEADERS
    else:
        assert [c.value for c in load_workbook(io.BytesIO(regions)).active[1]] == REGION_HEADERS
        assert [c.value for c in load_workbook(io.BytesIO(roster)).active[1]] == ROSTER_HEADERS

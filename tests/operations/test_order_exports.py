"""The deployment order (lampiran Sprin): PDF, XLSX and CSV contain the officers; the team text."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from operations.models import Duty
from operations.ranks import Pangkat
from operations.services.assignments import assignment_create
from tests.factories import CandidateFactory
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(make_user):
    world = build_world(make_user)
    world.operation.sprin_number = "Sprin/123/IX/2019"
    world.operation.save()
    leader = officers(world.polres, 1, rank=Pangkat.IPTU, name="Hendra Leader")[0]
    member = officers(world.polres, 1, rank=Pangkat.BRIPDA, name="Rudi Anggota")[0]
    escort = officers(world.brimob, 1, name="Yusuf Pengawal")[0]
    reserve = officers(world.polres, 1, name="Joko Cadangan")[0]
    candidate = CandidateFactory(village_election=world.own[0], full_name="Haji Mahmud")
    for officer in (leader, member):
        assignment_create(
            operation=world.operation,
            officer=officer,
            duty=Duty.VILLAGE_GUARD,
            village_election=world.own[0],
            by=world.kabag,
        )
    assignment_create(
        operation=world.operation, officer=escort, duty=Duty.CLOSE_ESCORT, candidate=candidate, by=world.kabag
    )
    assignment_create(operation=world.operation, officer=reserve, duty=Duty.RESERVE, by=world.kabag)
    return world, [leader, member, escort, reserve]


def download(client, world, file_format):
    client.force_login(world.pimpinan)
    response = client.get(reverse("deployment-order", args=[world.operation.pk, file_format]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response


def test_pdf_lists_every_officer_with_rank_nrp_unit_and_leader(client, posted):
    world, people = posted

    response = download(client, world, "pdf")

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for officer in people:
        assert officer.name in text
        assert officer.nrp in text
    assert "Sprin/123/IX/2019" in text
    assert "Ipda" not in text and "Iptu" in text
    assert "Ketua tim" in text
    assert "Rekapitulasi per tingkat" in text
    assert "Haji Mahmud" in text


def test_xlsx_has_one_row_per_officer_and_level_totals(client, posted):
    world, people = posted

    response = download(client, world, "xlsx")

    workbook = load_workbook(io.BytesIO(response.content))
    # Title, order number/date, headers; then one row per officer (issue 13 layout).
    rows = list(workbook.worksheets[0].iter_rows(min_row=4, values_only=True))
    by_name = {row[5]: row for row in rows}
    assert set(by_name) == {o.name for o in people}
    leader_row = by_name["Hendra Leader"]
    assert leader_row[6:8] == ("Iptu", people[0].nrp)
    assert leader_row[9:] == (world.polres.name, "Pengamanan desa (TPS)", "Ketua tim")
    assert by_name["Rudi Anggota"][11] in ("", None)
    totals = list(workbook.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert sum(row[3] for row in totals) == 3


def test_csv_matches_the_xlsx_rows(client, posted):
    world, people = posted

    response = download(client, world, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][5] == "Nama"
    assert sorted(row[5] for row in rows[1:]) == sorted(o.name for o in people)


def test_unknown_format_is_not_found(client, posted):
    world, _ = posted
    client.force_login(world.kabag)

    assert client.get(f"/operasi/{world.operation.pk}/sprin.doc").status_code == 404


def test_team_text_is_pasteable_plain_text(client, posted):
    world, people = posted
    client.force_login(world.kabag)

    response = client.get(reverse("deployment-team-text", args=[world.operation.pk, world.own[0].pk]))

    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert world.own[0].desa.name in lines[0]
    assert lines[2] == f"Ketua tim: Iptu Hendra Leader ({people[0].nrp})"
    assert any("Pam melekat calon: Haji Mahmud" in line for line in lines)

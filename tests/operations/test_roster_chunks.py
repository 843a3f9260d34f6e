"""A large roster is read as a stream and written in batches (chunk_rows), still all or nothing."""

import io

import openpyxl
import pytest

from operations.models import Officer
from operations.roster import RosterImportError, roster_import
from tests.factories import OfficerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "NRP,Nama,Pangkat,Jabatan,Satuan\n"


@pytest.fixture
def unit():
    return UnitFactory(name="Polsek Carenang", kind="polsek")


def _roster(count: int, start: int = 1, **replace: str) -> str:
    """``count`` good lines (line 2 on); ``replace`` maps a line number to the line it becomes."""
    lines = [f"8501{n:04d},Personel {n},Bripka,Kanit,Polsek Carenang" for n in range(start, start + count)]
    for line, text in replace.items():
        lines[int(line.removeprefix("line")) - 2] = text
    return HEADER + "\n".join(lines) + "\n"


def test_a_bad_row_in_a_later_batch_rolls_back_the_batches_already_written(unit):
    csv = _roster(7, line7="85010099,Dedi,Sersan Mayor,x,Polsek Carenang")
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv", chunk_rows=2)
    assert caught.value.line_errors == [(7, "Pangkat: pangkat 'Sersan Mayor' tidak dikenal")]
    assert Officer.objects.count() == 0
    assert Officer.history.count() == 0


def test_every_bad_row_of_every_batch_is_reported_by_line(unit):
    csv = _roster(
        9,
        line3="85010002,B,Bripka,x,Polsek Entah",
        line6="85010099,,Bripka,x,Polsek Carenang",
        line9="85010002,Lagi,Bripka,x,Polsek Carenang",
    )
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv", chunk_rows=2)
    lines = [line for line, _ in caught.value.line_errors]
    assert lines == [3, 6, 9], caught.value.messages
    assert "Satuan 'Polsek Entah' tidak ditemukan" in caught.value.messages[0]
    assert caught.value.messages[1].startswith("baris 6: Nama:")
    # A duplicate NRP is found across batches, naming the line it first appeared on.
    assert caught.value.messages[2] == "baris 9: NRP 85010002 ganda (sudah ada di baris 3)"
    assert Officer.objects.count() == 0


def test_batches_write_every_row_with_its_history_and_count_each_kind(unit, monkeypatch):
    import operations.roster as roster

    roster_import(data=_roster(1).encode(), file_format="csv")
    OfficerFactory(nrp="85010002", name="Lama", unit=unit)
    sizes = []
    real = roster.officers_upsert
    monkeypatch.setattr(roster, "officers_upsert", lambda **kw: sizes.append(len(kw["rows"])) or real(**kw))
    user = UserFactory(username="operator")
    csv = _roster(5)
    report = roster_import(data=csv.encode(), file_format="csv", chunk_rows=2, user=user, source_name="r.csv")
    assert sizes == [2, 2, 1]
    assert (report.new, report.updated, report.unchanged) == (3, 1, 1)
    assert sorted(Officer.objects.values_list("nrp", "name")) == [
        (f"8501{n:04d}", f"Personel {n}") for n in range(1, 6)
    ]
    written = Officer.history.filter(history_change_reason="Impor personel: r.csv", history_user=user)
    assert sorted(written.values_list("nrp", "history_type")) == [
        ("85010002", "~"),
        ("85010003", "+"),
        ("85010004", "+"),
        ("85010005", "+"),
    ]


def test_the_default_batch_size_bounds_what_one_upsert_call_holds(unit, monkeypatch):
    import operations.roster as roster

    sizes = []
    real = roster.officers_upsert
    monkeypatch.setattr(roster, "CHUNK_ROWS", 3)
    monkeypatch.setattr(roster, "officers_upsert", lambda **kw: sizes.append(len(kw["rows"])) or real(**kw))
    report = roster_import(data=_roster(8).encode(), file_format="csv")
    assert sizes == [3, 3, 2] and report.new == 8


def test_a_dry_run_in_batches_writes_nothing(unit):
    report = roster_import(data=_roster(5).encode(), file_format="csv", chunk_rows=2, dry_run=True)
    assert report.new == 5
    assert Officer.objects.count() == 0


def test_an_xlsx_roster_is_read_in_batches_too(unit):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NRP", "Nama", "Pangkat", "Jabatan", "Satuan"])
    for n in range(1, 6):
        sheet.append([85010000 + n, f"Personel {n}", "Bripka", "Kanit", "Polsek Carenang"])
    sheet.append([85010001, "Lagi", "Bripka", "Kanit", "Polsek Carenang"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=buffer.getvalue(), file_format="xlsx", chunk_rows=2)
    assert caught.value.messages == ["baris 7: NRP 85010001 ganda (sudah ada di baris 2)"]
    assert Officer.objects.count() == 0

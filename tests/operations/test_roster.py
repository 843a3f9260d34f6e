import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from operations.models import Officer
from operations.ranks import Pangkat
from operations.roster import RosterImportError, roster_export, roster_import
from tests.factories import OfficerFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADER = "NRP,Nama,Pangkat,Jabatan,Satuan\n"


@pytest.fixture
def units():
    return UnitFactory(name="Polsek Carenang", kind="polsek"), UnitFactory(name="Sat Brimob", kind="brimob")


def _snapshot():
    return sorted(Officer.objects.values_list("nrp", "name", "rank", "position", "unit__name"))


def test_csv_roster_creates_officers_with_normalised_ranks(units):
    csv = HEADER + (
        "85010001,Ahmad Fauzi,BRIPKA,Bhabinkamtibmas,Polsek Carenang\n"
        "85010002,Budi Santoso,Brigadir Polisi Kepala,Banit Reskrim,polsek carenang\n"
        "85010003,Citra Lestari,Bripda,Anggota,Sat Brimob\n"
    )
    report = roster_import(data=csv.encode(), file_format="csv")
    assert (report.new, report.updated, report.unchanged) == (3, 0, 0)
    assert _snapshot() == [
        ("85010001", "Ahmad Fauzi", Pangkat.BRIPKA, "Bhabinkamtibmas", "Polsek Carenang"),
        ("85010002", "Budi Santoso", Pangkat.BRIPKA, "Banit Reskrim", "Polsek Carenang"),
        ("85010003", "Citra Lestari", Pangkat.BRIPDA, "Anggota", "Sat Brimob"),
    ]


def test_reimport_updates_by_nrp_and_never_doubles(units):
    OfficerFactory(nrp="85010001", name="Ahmad", rank=Pangkat.BRIGPOL, unit=units[0])
    csv = HEADER + "85010001,Ahmad Fauzi,Bripka,Kanit,Polsek Carenang\n"
    report = roster_import(data=csv.encode(), file_format="csv")
    assert (report.new, report.updated) == (0, 1)
    officer = Officer.objects.get(nrp="85010001")
    assert (officer.name, officer.rank, officer.position) == ("Ahmad Fauzi", Pangkat.BRIPKA, "Kanit")
    assert Officer.objects.count() == 1
    again = roster_import(data=csv.encode(), file_format="csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def test_dry_run_previews_without_writing(units):
    csv = HEADER + "85010001,Ahmad Fauzi,Bripka,Kanit,Polsek Carenang\n"
    report = roster_import(data=csv.encode(), file_format="csv", dry_run=True)
    assert report.new == 1
    assert "Pratinjau" in report.summary()
    assert Officer.objects.count() == 0


BAD_ROWS = {
    "unknown rank": (
        "85010009,Dedi,Sersan Mayor,Anggota,Polsek Carenang",
        "pangkat 'Sersan Mayor' tidak dikenal",
    ),
    "unknown unit": ("85010009,Dedi,Bripka,Anggota,Polsek Entah", "Satuan 'Polsek Entah' tidak ditemukan"),
    "short nrp": ("8501x,Dedi,Bripka,Anggota,Polsek Carenang", "NRP harus tepat 8 angka"),
    "missing name": ("85010009,,Bripka,Anggota,Polsek Carenang", "Nama"),
    "duplicate nrp": ("85010001,Ahmad Lagi,Bripka,Anggota,Polsek Carenang", "NRP 85010001 ganda"),
}


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_rejects_the_roster_and_names_line_and_reason(units, bad_row, message):
    csv = HEADER + "85010001,Ahmad Fauzi,Bripka,Kanit,Polsek Carenang\n" + bad_row + "\n"
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv")
    assert [line for line, _ in caught.value.line_errors] == [3]
    assert message in caught.value.messages[0]
    assert Officer.objects.count() == 0


def test_every_bad_row_is_reported(units):
    csv = (
        HEADER
        + "1,A,Bripka,x,Polsek Carenang\n85010002,B,Kopral,x,Polsek Carenang\n85010003,C,Iptu,x,Nowhere\n"
    )
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv")
    assert sorted({line for line, _ in caught.value.line_errors}) == [2, 3, 4]


def test_missing_columns_and_empty_files_are_clear_errors(units):
    with pytest.raises(RosterImportError, match="kolom wajib tidak ada: Pangkat"):
        roster_import(data=b"NRP,Nama,Satuan\n85010001,A,Polsek Carenang\n", file_format="csv")
    with pytest.raises(RosterImportError, match="berkas kosong"):
        roster_import(data=HEADER.encode(), file_format="csv")
    with pytest.raises(RosterImportError, match="bukan berkas XLSX"):
        roster_import(data=b"not a workbook", file_format="xlsx")


def test_xlsx_numbers_keep_leading_zeros_and_round_trip(units):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NRP", "Nama", "Pangkat", "Jabatan", "Satuan"])
    sheet.append([1230045, "Eka Putra", "AKP", "Kapolsek", "Polsek Carenang"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster_import(data=buffer.getvalue(), file_format="xlsx")
    assert Officer.objects.get().nrp == "01230045"

    before = _snapshot()
    exported = roster_export(file_format="xlsx")
    Officer.objects.all().delete()
    roster_import(data=exported, file_format="xlsx")
    assert _snapshot() == before
    csv_export = roster_export(file_format="csv")
    assert b"Eka Putra" in csv_export and b"AKP" in csv_export


def test_import_roster_command_reports_and_fails_on_bad_rows(units, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "85010001,Ahmad,Kopral,x,Polsek Carenang\n")
    with pytest.raises(CommandError, match="1 baris bermasalah"):
        call_command("import_roster", str(path))
    assert "baris 2" in capsys.readouterr().err
    path.write_text(HEADER + "85010001,Ahmad,Bripka,x,Polsek Carenang\n")
    call_command("import_roster", str(path), "--dry-run")
    assert Officer.objects.count() == 0
    call_command("import_roster", str(path))
    assert Officer.objects.count() == 1


def _officer_history(nrp: str) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (h.history_type, h.name, h.history_user.username if h.history_user else None, h.history_change_reason)
        for h in Officer.history.filter(nrp=nrp).order_by("history_date", "history_id")
    ]


def test_roster_import_records_the_user_and_the_file_in_each_changed_officers_history(units):
    from tests.factories import UserFactory

    user = UserFactory(username="operator")
    csv = HEADER + "85010001,Ahmad,Bripka,Kanit,Polsek Carenang\n85010002,Budi,Bripda,x,Sat Brimob\n"
    roster_import(data=csv.encode(), file_format="csv", user=user, source_name="roster-jan.csv")
    renamed = csv.replace("Ahmad", "Ahmad Fauzi")
    roster_import(data=renamed.encode(), file_format="csv", user=user, source_name="roster-feb.csv")
    assert _officer_history("85010001") == [
        ("+", "Ahmad", "operator", "Impor personel: roster-jan.csv"),
        ("~", "Ahmad Fauzi", "operator", "Impor personel: roster-feb.csv"),
    ]
    # Unchanged officers get no history row on re-import.
    assert _officer_history("85010002") == [("+", "Budi", "operator", "Impor personel: roster-jan.csv")]


def test_import_roster_command_records_the_user_and_the_file(units, tmp_path):
    from tests.factories import UserFactory

    UserFactory(username="operator")
    path = tmp_path / "roster-2024.csv"
    path.write_text(HEADER + "85010001,Ahmad,Bripka,x,Polsek Carenang\n")
    call_command("import_roster", str(path), "--user", "operator")
    assert _officer_history("85010001") == [("+", "Ahmad", "operator", "Impor personel: roster-2024.csv")]
    with pytest.raises(CommandError, match="pengguna 'tidak-ada' tidak ditemukan"):
        call_command("import_roster", str(path), "--user", "tidak-ada")


GOOD_ROW = "85010001,Ahmad Fauzi,Bripka,Kanit,Polsek Carenang\n"
UNREADABLE_ROWS = {
    "cell over the csv module's limit": (
        "85010002," + "x" * 200_000 + ",Bripka,x,Sat Brimob",
        "sel lebih dari",
    ),
    "nul byte": ("85010002,Bu\x00di,Bripka,x,Sat Brimob", "berisi karakter NUL"),
    "name over the column": ("85010002," + "B" * 151 + ",Bripka,x,Sat Brimob", "150"),
    "more cells than the header": ("85010002,Budi,Bripka,x,Sat Brimob,lebih", "6 kolom"),
}


@pytest.mark.parametrize(("bad_row", "message"), UNREADABLE_ROWS.values(), ids=UNREADABLE_ROWS.keys())
def test_an_unreadable_or_oversized_roster_line_is_a_line_error(units, bad_row, message):
    csv = HEADER + GOOD_ROW + bad_row + "\n" + "85010003,Citra,Bripda,x,Sat Brimob\n"
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv")
    assert [line for line, _ in caught.value.line_errors] == [3], caught.value.messages
    assert message in caught.value.messages[0]
    assert Officer.objects.count() == 0


NOT_A_ROSTER = {
    "empty csv": (b"", "csv", "berkas kosong"),
    "empty xlsx": (b"", "xlsx", "berkas kosong"),
    "xlsx uploaded as csv": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "csv", "pilih format xlsx"),
    "csv uploaded as xlsx": (HEADER.encode() + GOOD_ROW.encode(), "xlsx", "bukan berkas XLSX"),
    "utf-16 csv": ((HEADER + GOOD_ROW).encode("utf-16"), "csv", "UTF-16"),
    "a picture": (b"\x89PNG\r\n\x1a\n" + bytes(100), "csv", "gambar PNG"),
}


@pytest.mark.parametrize(
    ("payload", "file_format", "message"), NOT_A_ROSTER.values(), ids=NOT_A_ROSTER.keys()
)
def test_a_file_that_is_not_a_roster_gets_one_clear_message(units, payload, file_format, message):
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=payload, file_format=file_format)
    assert len(caught.value.messages) == 1 and message in caught.value.messages[0], caught.value.messages


def test_import_roster_command_reports_an_unreadable_line_without_a_traceback(units, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "85010002," + "x" * 200_000 + ",Bripka,x,Sat Brimob\n")
    with pytest.raises(CommandError, match="1 baris bermasalah"):
        call_command("import_roster", str(path))
    assert "baris 2: sel lebih dari" in capsys.readouterr().err


FULL_HEADER = "NRP,Nama,Pangkat,Jabatan,Satuan,Kode Desa Asal,Telepon,Aktif\n"


def test_roster_columns_set_home_desa_by_code_phone_active_and_position(units):
    from tests.factories import DesaFactory

    desa = DesaFactory(code="99.01.01.2001")
    csv = FULL_HEADER + (
        "85010001,Ahmad,Bripka,KAPOLSEK CARENANG,Polsek Carenang,99.01.01.2001,0812-1,ya\n"
        "85010002,Budi,Bripda,Anggota,Sat Brimob,,,tidak\n"
    )
    report = roster_import(data=csv.encode(), file_format="csv")
    assert (report.new, report.updated) == (2, 0)
    ahmad, budi = Officer.objects.select_related("jabatan").order_by("nrp")
    assert (ahmad.home_desa_id, ahmad.phone, ahmad.is_active) == (desa.pk, "0812-1", True)
    assert ahmad.position == "KAPOLSEK CARENANG" and ahmad.jabatan.name == "Kapolsek"
    assert (budi.home_desa_id, budi.phone, budi.is_active) == (None, "", False)
    # A roster without the new columns keeps what they hold; one with them clears a blank cell.
    roster_import(
        data=(HEADER + "85010001,Ahmad,Bripka,Kapolsek,Polsek Carenang\n").encode(), file_format="csv"
    )
    ahmad.refresh_from_db()
    assert (ahmad.home_desa_id, ahmad.phone, ahmad.is_active) == (desa.pk, "0812-1", True)
    roster_import(
        data=(FULL_HEADER + "85010001,Ahmad,Bripka,Kapolsek,Polsek Carenang,,,ya\n").encode(),
        file_format="csv",
    )
    ahmad.refresh_from_db()
    assert (ahmad.home_desa_id, ahmad.phone) == (None, "")


def test_roster_refuses_an_unknown_desa_code_and_an_unreadable_active_flag(units):
    csv = FULL_HEADER + (
        "85010001,Ahmad,Bripka,x,Polsek Carenang,99.99.99.9999,,ya\n"
        "85010002,Budi,Bripda,x,Sat Brimob,,,mungkin\n"
    )
    with pytest.raises(RosterImportError) as caught:
        roster_import(data=csv.encode(), file_format="csv")
    assert [line for line, _ in caught.value.line_errors] == [2, 3]
    assert "Desa 99.99.99.9999 tidak ditemukan" in caught.value.messages[0]
    assert "Aktif" in caught.value.messages[1]
    assert Officer.objects.count() == 0


def test_roster_export_carries_the_new_columns_and_reads_back(units):
    from tests.factories import DesaFactory

    desa = DesaFactory(code="99.01.01.2002")
    OfficerFactory(nrp="85010001", unit=units[0], home_desa=desa, phone="081234567", is_active=False)
    exported = roster_export(file_format="csv").decode()
    assert exported.splitlines()[0].split(",")[-3:] == ["Kode Desa Asal", "Telepon", "Aktif"]
    assert "99.01.01.2002,081234567,tidak" in exported
    Officer.objects.all().delete()
    roster_import(data=exported.encode(), file_format="csv")
    officer = Officer.objects.get()
    assert (officer.home_desa_id, officer.phone, officer.is_active) == (desa.pk, "081234567", False)


def test_roster_import_and_officers_bulk_share_one_rule(units, monkeypatch):
    # The roster writes through officers_upsert (the bulk API's service): one place for the rules.
    import operations.roster as roster

    calls = []
    real = roster.officers_upsert
    monkeypatch.setattr(roster, "officers_upsert", lambda **kw: calls.append(kw) or real(**kw))
    roster_import(data=(HEADER + GOOD_ROW).encode(), file_format="csv")
    assert [row["nrp"] for row in calls[0]["rows"]] == ["85010001"]

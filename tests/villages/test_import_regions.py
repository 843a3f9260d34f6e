import pytest
from django.core.management import CommandError, call_command

from villages.models import Desa, Kecamatan
from villages.services import RegionImportError, regions_import

pytestmark = pytest.mark.django_db

SERANG_CSV = """kode,nama
36,BANTEN
36.04,KAB. SERANG
36.04.17,Carenang
36.04.17.2010,Mekarsari
36.04.17.2001,Carenang
36.04.18,Binuang
36.04.18.2007,Lamaran
"""

SERANG_SQL = """INSERT INTO `wilayah` (`kode`, `nama`) VALUES
('36', 'BANTEN'),
('36.04', 'KAB. SERANG'),
('36.04.17', 'Carenang'),
('36.04.17.2010', 'Mekarsari'),
('36.04.17.2001', 'Carenang'),
('36.04.18', 'Binuang'),
('36.04.18.2007', 'Lamaran');
"""


def _snapshot():
    return (
        sorted(Kecamatan.objects.values_list("code", "name", "kabupaten_name")),
        sorted(Desa.objects.values_list("code", "name", "kecamatan__code")),
    )


@pytest.mark.parametrize(
    "payload",
    [
        SERANG_CSV,
        SERANG_CSV.split("\n", 1)[1],  # no header
        SERANG_CSV.replace(",", "\t"),
        SERANG_SQL,
    ],
    ids=["csv-header", "csv-no-header", "tsv", "sql"],
)
def test_each_public_format_imports_the_same_regions(payload):
    report = regions_import(data=payload.encode())
    assert report.created == {"kecamatan": 2, "desa": 3}
    kecamatan, desa = _snapshot()
    assert kecamatan == [
        ("36.04.17", "Carenang", "KAB. SERANG"),
        ("36.04.18", "Binuang", "KAB. SERANG"),
    ]
    assert ("36.04.17.2010", "Mekarsari", "36.04.17") in desa
    assert len(desa) == 3


def test_reimport_updates_names_and_adds_rows_without_duplicates():
    regions_import(data=SERANG_CSV.encode())
    changed = SERANG_CSV.replace("Mekarsari", "Mekar Sari") + "36.04.18.2003,Renged\n"
    report = regions_import(data=changed.encode())
    assert report.created == {"kecamatan": 0, "desa": 1}
    assert report.updated["desa"] == 1
    assert Desa.objects.get(code="36.04.17.2010").name == "Mekar Sari"
    assert Desa.objects.count() == 4
    assert Kecamatan.objects.count() == 2


def test_prefix_keeps_only_that_kabupaten():
    other = SERANG_CSV + "36.01,KAB. PANDEGLANG\n36.01.01,Sumur\n36.01.01.2001,Kertajaya\n"
    regions_import(data=other.encode(), prefix="36.04")
    assert not Kecamatan.objects.filter(code__startswith="36.01").exists()
    assert Kecamatan.objects.count() == 2


BAD_CASES = {
    "duplicate code": (SERANG_CSV + "36.04.17.2010,Mekarsari Lagi\n", "ganda (sudah ada di baris 5)"),
    "missing kecamatan": (SERANG_CSV + "36.04.99.2001,Tanpa Induk\n", "kecamatan 36.04.99 tidak ada"),
    "malformed code": (SERANG_CSV + "36.4.17.2010,Salah\n", "tidak sah"),
    "empty file": ("", "berkas kosong"),
    "only header": ("kode,nama\n", "tidak ada baris wilayah"),
    "one column": (SERANG_CSV + "36.04.18.2001\n", "kode dan nama"),
}


@pytest.mark.parametrize(("payload", "message"), BAD_CASES.values(), ids=BAD_CASES.keys())
def test_a_bad_row_rejects_the_whole_file_and_names_the_line(payload, message):
    Kecamatan.objects.create(code="36.04.13", name="Tirtayasa")
    before = _snapshot()
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload.encode())
    assert any(message in text for text in caught.value.messages), caught.value.messages
    assert _snapshot() == before


def test_every_bad_row_is_reported_not_only_the_first():
    payload = SERANG_CSV + "36.4.1,x\n36.04.17.2010,Ganda\n36.04.77.2001,Yatim\n"
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload.encode())
    assert [line for line, _ in caught.value.line_errors] == [9, 10, 11]
    assert Desa.objects.count() == 0


def test_bad_encoding_is_reported_with_its_line():
    payload = SERANG_CSV.encode() + "36.04.18.2002,Cak\xfcng\n".encode("latin-1")
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload)
    assert "baris 9" in caught.value.messages[0]
    assert Kecamatan.objects.count() == 0
    regions_import(data=payload, encoding="latin-1")
    assert Desa.objects.get(code="36.04.18.2002").name == "Cak\xfcng"


def test_desa_may_rely_on_a_kecamatan_already_in_the_database():
    Kecamatan.objects.create(code="36.04.18", name="Binuang")
    regions_import(data=b"36.04.18.2003,Renged\n")
    assert Desa.objects.get(code="36.04.18.2003").kecamatan.name == "Binuang"


def test_command_reports_bad_rows_and_fails(tmp_path, capsys):
    path = tmp_path / "wilayah.csv"
    path.write_text(SERANG_CSV + "36.04.99.2001,Yatim\n")
    with pytest.raises(CommandError, match="1 baris bermasalah"):
        call_command("import_regions", str(path))
    assert "baris 9" in capsys.readouterr().err
    assert Desa.objects.count() == 0


def test_command_imports_with_prefix(tmp_path, capsys):
    path = tmp_path / "wilayah.sql"
    path.write_text(SERANG_SQL)
    call_command("import_regions", str(path), "--prefix", "36.04.18")
    assert list(Desa.objects.values_list("name", flat=True)) == ["Lamaran"]
    assert "1 baru" in capsys.readouterr().out


def test_export_then_import_into_an_empty_database_gives_the_same_regions(tmp_path):
    regions_import(data=(SERANG_CSV + "36.04.18.2003,Renged\n").encode())
    before = _snapshot()
    path = tmp_path / "wilayah.csv"
    call_command("export_regions", str(path))
    Desa.objects.all().delete()
    Kecamatan.objects.all().delete()
    regions_import(data=path.read_bytes())
    assert _snapshot() == before


def test_xlsx_export_lists_kabupaten_kecamatan_and_desa():
    import io

    import openpyxl

    from villages.services import regions_export

    regions_import(data=SERANG_CSV.encode())
    sheet = openpyxl.load_workbook(io.BytesIO(regions_export(file_format="xlsx"))).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("kode", "nama")
    assert ("36.04", "KAB. SERANG") in rows
    assert ("36.04.17.2010", "Mekarsari") in rows
    assert len(rows) == 1 + 1 + 2 + 3


def _desa_history(code: str) -> list[tuple[str, str, str | None, str]]:
    desa = Desa.objects.get(code=code)
    return [
        (h.history_type, h.name, h.history_user.username if h.history_user else None, h.history_change_reason)
        for h in Desa.history.filter(id=desa.pk).order_by("history_date", "history_id")
    ]


def test_every_rename_through_the_import_is_kept_in_the_history_with_user_and_file():
    from tests.factories import UserFactory

    user = UserFactory(username="operator")
    regions_import(data=SERANG_CSV.encode(), user=user, source_name="wilayah-2019.csv")
    for edition, name in enumerate(["Mekar Sari", "Mekarsari Baru", "Mekarsari"], start=2):
        regions_import(
            data=SERANG_CSV.replace("Mekarsari", name).encode(),
            user=user,
            source_name=f"wilayah-{edition}.csv",
        )
    assert _desa_history("36.04.17.2010") == [
        ("+", "Mekarsari", "operator", "Impor wilayah: wilayah-2019.csv"),
        ("~", "Mekar Sari", "operator", "Impor wilayah: wilayah-2.csv"),
        ("~", "Mekarsari Baru", "operator", "Impor wilayah: wilayah-3.csv"),
        ("~", "Mekarsari", "operator", "Impor wilayah: wilayah-4.csv"),
    ]
    # Rows that did not change get no history row on re-import.
    assert [h[0] for h in _desa_history("36.04.17.2001")] == ["+"]


def test_kecamatan_changes_through_the_import_are_kept_in_the_history():
    regions_import(data=SERANG_CSV.encode(), source_name="lama.csv")
    regions_import(data=SERANG_CSV.replace("Binuang", "Binuang Baru").encode(), source_name="baru.csv")
    kecamatan = Kecamatan.objects.get(code="36.04.18")
    history = Kecamatan.history.filter(id=kecamatan.pk).order_by("history_date", "history_id")
    assert [(h.history_type, h.name, h.kabupaten_name, h.history_change_reason) for h in history] == [
        ("+", "Binuang", "KAB. SERANG", "Impor wilayah: lama.csv"),
        ("~", "Binuang Baru", "KAB. SERANG", "Impor wilayah: baru.csv"),
    ]
    assert Kecamatan.history.filter(code="36.04.17").count() == 1


def test_the_history_of_a_rename_keeps_the_fields_the_import_does_not_touch():
    regions_import(data=SERANG_CSV.encode())
    Desa.objects.filter(code="36.04.17.2010").update(
        latitude="-6.100000", longitude="106.200000", access_notes="Jalan rusak"
    )
    regions_import(data=SERANG_CSV.replace("Mekarsari", "Mekar Sari").encode())
    latest = Desa.history.filter(code="36.04.17.2010").latest()
    assert (latest.name, str(latest.latitude), latest.access_notes) == (
        "Mekar Sari",
        "-6.100000",
        "Jalan rusak",
    )


def test_command_records_the_user_and_the_file_in_the_history(tmp_path):
    from tests.factories import UserFactory

    UserFactory(username="operator")
    path = tmp_path / "wilayah-2024.csv"
    path.write_text(SERANG_CSV)
    call_command("import_regions", str(path), "--user", "operator")
    assert _desa_history("36.04.17.2010") == [
        ("+", "Mekarsari", "operator", "Impor wilayah: wilayah-2024.csv")
    ]
    with pytest.raises(CommandError, match="pengguna 'tidak-ada' tidak ditemukan"):
        call_command("import_regions", str(path), "--user", "tidak-ada")


def test_export_regions_refuses_to_overwrite_an_existing_file_without_force(tmp_path):
    regions_import(data=SERANG_CSV.encode())
    path = tmp_path / "wilayah.csv"
    path.write_text(SERANG_SQL)
    with pytest.raises(CommandError, match="sudah ada.*--force"):
        call_command("export_regions", str(path))
    assert path.read_text() == SERANG_SQL
    call_command("export_regions", str(path), "--force")
    assert "36.04.17.2010,Mekarsari" in path.read_text()


@pytest.mark.parametrize("prefix", ["", "36.01"], ids=["empty-database", "prefix-matches-nothing"])
def test_export_regions_refuses_an_empty_export_and_writes_no_file(tmp_path, prefix):
    if prefix:
        regions_import(data=SERANG_CSV.encode())
    path = tmp_path / "wilayah.csv"
    with pytest.raises(CommandError, match="Tidak ada kecamatan"):
        call_command("export_regions", str(path), "--prefix", prefix)
    assert not path.exists()


UNREADABLE = {
    "field over the csv module's limit": (
        SERANG_CSV + "36.04.18.2009," + "x" * 200_000 + "\n36.04.18.2010,Kamaruton\n",
        "baris 9: sel lebih dari",
    ),
    "quoted field over the limit": (
        SERANG_CSV + '36.04.18.2009,"' + "x" * 200_000 + '"\n36.04.18.2010,Kamaruton\n',
        "baris 9: sel lebih dari",
    ),
    "nul byte": (SERANG_CSV + "36.04.18.2009,Kama\x00ruton\n", "baris 9: berisi karakter NUL"),
    "desa name over the column": (SERANG_CSV + "36.04.18.2009," + "A" * 101 + "\n", "baris 9: nama desa"),
    "kecamatan name over the column (sql)": (
        SERANG_SQL.replace("'Binuang'", "'" + "B" * 150 + "'"),
        "baris 7: nama kecamatan",
    ),
    "kabupaten name over the column": (
        SERANG_CSV.replace("KAB. SERANG", "K" * 101),
        "baris 3: nama kabupaten",
    ),
}


@pytest.mark.parametrize(("payload", "message"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_or_oversized_line_is_a_line_error_not_a_crash(payload, message):
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload.encode())
    assert any(text.startswith(message) for text in caught.value.messages), caught.value.messages
    assert not Kecamatan.objects.exists()


def test_lines_after_an_unreadable_line_are_still_checked():
    payload = SERANG_CSV + "36.04.18.2009," + "x" * 200_000 + "\n36.4,Rusak\n36.04.18.20\x0011,Nul\n"
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload.encode())
    assert [line for line, _ in caught.value.line_errors] == [9, 10, 11]


NOT_TEXT = {
    "zero bytes": (b"", "berkas kosong"),
    "zip or xlsx": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "arsip ZIP"),
    "utf-16 text": (SERANG_CSV.encode("utf-16"), "UTF-16"),
    "a picture": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "gambar PNG"),
    "unknown binary": (b"\x00\x01\x02\xff" * 50, "berkas biner, bukan teks"),
}


@pytest.mark.parametrize(("payload", "message"), NOT_TEXT.values(), ids=NOT_TEXT.keys())
def test_a_file_that_is_not_a_text_list_gets_one_clear_message(payload, message):
    with pytest.raises(RegionImportError) as caught:
        regions_import(data=payload)
    assert len(caught.value.messages) == 1 and message in caught.value.messages[0], caught.value.messages
    assert not Kecamatan.objects.exists()


def test_utf16_list_imports_when_its_encoding_is_named():
    regions_import(data=SERANG_CSV.encode("utf-16"), encoding="utf-16")
    assert Desa.objects.count() == 3


def test_command_reports_an_unreadable_line_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "wilayah.csv"
    path.write_bytes((SERANG_CSV + "36.04.18.2009," + "x" * 200_000 + "\n").encode())
    with pytest.raises(CommandError, match="1 baris bermasalah"):
        call_command("import_regions", str(path))
    assert "baris 9: sel lebih dari" in capsys.readouterr().err


def _history_rows(model, *, after: int = 0) -> list[tuple]:
    """Every column of the model's history rows after ``history_id`` ``after``, but history_id."""
    columns = [f.attname for f in model.history.model._meta.concrete_fields if not f.primary_key]
    rows = model.history.filter(history_id__gt=after).order_by("history_id")
    return list(rows.values_list(*columns))


def _last_history_id(model) -> int:
    return model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def test_the_import_writes_the_history_rows_simple_history_would_write():
    from django.utils import timezone

    from tests.factories import UserFactory

    user = UserFactory(username="operator")
    before = timezone.now()
    regions_import(data=SERANG_CSV.encode(), user=user, source_name="wilayah.csv")
    after = timezone.now()
    reason = "Impor wilayah: wilayah.csv"
    for model in (Kecamatan, Desa):
        ours = _history_rows(model)
        assert len(ours) == model.objects.count()
        date = model.history.earliest("history_id").history_date
        assert before <= date <= after
        # What simple_history's own bulk helper writes for the same rows, user, reason and date.
        mark = _last_history_id(model)
        model.history.bulk_history_create(
            list(model.objects.order_by("pk")),
            default_user=user,
            default_change_reason=reason,
            default_date=date,
        )
        assert ours == _history_rows(model, after=mark)
        assert {row[-1] for row in ours} == {user.pk}

    # A rename ("~"): every field as stored, including those the import does not touch.
    Desa.objects.filter(code="36.04.17.2010").update(
        latitude="-6.1", longitude="106.2", access_notes="Jalan rusak"
    )
    mark = _last_history_id(Desa)
    regions_import(
        data=SERANG_CSV.replace("Mekarsari", "Mekar Sari").encode(), user=user, source_name="baru.csv"
    )
    ours = _history_rows(Desa, after=mark)
    date = Desa.history.latest("history_id").history_date
    mark = _last_history_id(Desa)
    Desa.history.bulk_history_create(
        list(Desa.objects.filter(code="36.04.17.2010")),
        update=True,
        default_user=user,
        default_change_reason="Impor wilayah: baru.csv",
        default_date=date,
    )
    assert ours == _history_rows(Desa, after=mark)
    assert [row[-2] for row in ours] == ["~"]


def test_the_import_history_is_copied_by_the_database_not_sent_value_by_value():
    """The cost regression: simple_history's bulk helpers send every field of every history row as
    a query parameter (13 per desa); the import now sends about one (its code)."""
    from django.db import connection

    desa_lines = "".join(f"36.04.17.{2000 + n},Desa {n}\n" for n in range(300))
    data = f"kode,nama\n36.04,KAB. SERANG\n36.04.17,Carenang\n{desa_lines}".encode()
    sent: list[int] = []

    def count_history_params(execute, sql, params, many, context):
        if "historical" in sql.split("(", 1)[0].lower():
            sent.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_history_params):
        regions_import(data=data, source_name="wilayah.csv")
    assert Desa.history.count() == 300
    assert sum(sent) <= 2 * (300 + 1), sent

"""The import commands show a bar with rate and time left on stderr for imports over a few seconds."""

from io import StringIO

import pytest
from django.core.management import call_command

from pilkades import import_command
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

ROSTER = "NRP,Nama,Pangkat,Jabatan,Satuan\n" + "".join(
    f"8501{n:04d},Nama {n},BRIPKA,Kanit,Polsek Carenang\n" for n in range(1, 51)
)
REGIONS = "kode,nama\n36.04,KAB. SERANG\n36.04.17,Carenang\n36.04.17.2010,Mekarsari\n"


def _run(command: str, path, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, str(path), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_long_roster_import_shows_rows_rate_and_the_save_stage(tmp_path, monkeypatch):
    monkeypatch.setattr(import_command, "PROGRESS_AFTER_SECONDS", 0)
    UnitFactory(name="Polsek Carenang", kind="polsek")
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    out, err = _run("import_roster", path)
    assert "50 baru" in out
    assert "Impor personel · [" in err and "/50 baris" in err and "baris/dtk" in err
    assert "Menyimpan ke basis data 50 baris" in err


def test_a_long_region_import_shows_the_save_stage(tmp_path, monkeypatch):
    monkeypatch.setattr(import_command, "PROGRESS_AFTER_SECONDS", 0)
    path = tmp_path / "wilayah.csv"
    path.write_text(REGIONS)
    _out, err = _run("import_regions", path)
    assert "Impor wilayah · Menyimpan ke basis data 3 baris" in err


def test_a_quick_import_prints_no_progress(tmp_path):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    _out, err = _run("import_roster", path)
    assert err == ""

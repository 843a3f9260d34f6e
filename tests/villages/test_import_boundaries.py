import io
import json
import resource
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from villages.boundaries import SIMPLIFY_TOLERANCE_DEG
from villages.boundary_import import BoundaryImportError, boundaries_import
from villages.models import Desa, Kabupaten, Kecamatan

pytestmark = pytest.mark.django_db

DEMO_DIR = Path(__file__).resolve().parents[2] / "operations" / "demo_boundaries"
HEADER = "/* header */\nINSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n"

# A small square around (lat, lng) in the SQL format's [lat, lng] order.
SQUARE = [[-6.10, 106.30], [-6.10, 106.32], [-6.12, 106.32], [-6.12, 106.30], [-6.10, 106.30]]


def ring(lat=-6.10, lng=106.30, size=0.02):
    return [[lat, lng], [lat, lng + size], [lat - size, lng + size], [lat - size, lng], [lat, lng]]


def sql_row(code, name="Desa", path=None, lat=-6.11, lng=106.31):
    path = json.dumps([ring()] if path is None else path)
    return f"\t('{code}','{name}',{lat},{lng},'{path}')"


def sql(*rows):
    return (HEADER + ",\n".join(rows) + ";\n").encode()


def run(data: bytes, **kwargs):
    return boundaries_import(sources=[("berkas.sql", io.BytesIO(data))], **kwargs)


@pytest.fixture
def places():
    kec = Kecamatan.objects.create(code="36.04.17", name="Carenang", kabupaten_name="Kabupaten Serang")
    other = Kecamatan.objects.create(code="36.04.18", name="Binuang", kabupaten_name="Kabupaten Serang")
    Desa.objects.create(code="36.04.17.2010", name="Mekarsari", kecamatan=kec)
    Desa.objects.create(code="36.04.17.2001", name="Carenang", kecamatan=kec)
    Desa.objects.create(code="36.04.18.2003", name="Renged", kecamatan=other)
    return kec


def snapshot():
    return (
        sorted(Desa.objects.values_list("code", "latitude", "longitude", "boundary_geojson")),
        sorted(Kecamatan.objects.values_list("code", "latitude", "longitude", "boundary_geojson")),
        sorted(Kabupaten.objects.values_list("code", "boundary_geojson")),
    )


def test_sql_row_sets_centroid_and_a_geojson_outline_in_lng_lat_order(places):
    report = run(sql(sql_row("36.04.17.2010", "Mekarsari")))
    desa = Desa.objects.get(code="36.04.17.2010")
    assert (float(desa.latitude), float(desa.longitude)) == (-6.11, 106.31)
    outline = json.loads(desa.boundary_geojson)
    assert outline["type"] == "Polygon"
    assert [106.3, -6.1] in outline["coordinates"][0]
    assert report.updated["desa"] == 1
    assert report.desa_without_boundary == [("36.04.17.2001", "Carenang"), ("36.04.18.2003", "Renged")]


def test_geojson_feature_collection_with_named_code_property(places):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"KDEPUM": "36.04.17.2010", "NAMOBJ": "Mekarsari"},
                "geometry": {"type": "Polygon", "coordinates": [[[p[1], p[0]] for p in ring()]]},
            }
        ],
    }
    boundaries_import(
        sources=[("desa.geojson", io.BytesIO(json.dumps(collection).encode()))], code_property="KDEPUM"
    )
    desa = Desa.objects.get(code="36.04.17.2010")
    # No centroid column in GeoJSON: the polygon's own centroid.
    assert float(desa.latitude) == pytest.approx(-6.11, abs=1e-6)
    assert float(desa.longitude) == pytest.approx(106.31, abs=1e-6)


def test_real_kabupaten_serang_files_import_desa_kecamatan_and_kabupaten(places):
    report = boundaries_import(
        sources=[
            (p.name, p.open("rb"))
            for p in sorted(DEMO_DIR.glob("*.sql"))  # desa, kabupaten, kecamatan subsets
        ],
        prefix="36.04",
    )
    assert report.updated == {"desa": 3, "kecamatan": 2, "kabupaten": 1}
    # 29 desa of the three kecamatan in the files, 3 in the database: the others listed, not fatal.
    assert len([c for _, c, _ in report.not_found if c.count(".") == 3]) == 26
    assert ("36.04.13", "Tirtayasa") in [(c, n) for _, c, n in report.not_found]
    renged = Desa.objects.get(code="36.04.18.2003")
    assert (float(renged.latitude), float(renged.longitude)) == (-6.143968, 106.376844)
    assert Kabupaten.objects.get(code="36.04").name == "Kabupaten Serang"
    assert report.desa_without_boundary == []


def test_reimport_is_idempotent(places):
    data = sql(sql_row("36.04.17.2010"), sql_row("36.04.17.2001"))
    run(data)
    before = snapshot()
    report = run(data)
    assert snapshot() == before
    assert report.updated["desa"] == 0
    assert report.unchanged["desa"] == 2


def test_codes_not_in_database_are_listed_and_skipped(places):
    report = run(sql(sql_row("36.04.17.2010"), sql_row("36.04.17.2999", "Tak Dikenal")))
    assert report.not_found == [("baris 4", "36.04.17.2999", "Tak Dikenal")]
    assert report.updated["desa"] == 1


def test_prefix_skips_other_kabupaten(places):
    report = run(sql(sql_row("36.04.17.2010"), sql_row("36.01.01.2001")), prefix="36.04")
    assert report.outside_prefix == 1
    assert report.not_found == []


def test_simplification_drops_points_closer_than_the_tolerance(places):
    # A straight edge with a wobble far below the tolerance: the wobble points go.
    wobble = SIMPLIFY_TOLERANCE_DEG / 10
    lat, lng = -6.10, 106.30
    edge = [[lat, lng + i * 0.002] for i in range(11)]
    edge = [[p[0] + (wobble if i % 2 else 0), p[1]] for i, p in enumerate(edge)]
    path = [[*edge, [lat - 0.02, lng + 0.02], [lat - 0.02, lng], [lat, lng]]]
    run(sql(sql_row("36.04.17.2010", path=path)))
    stored = json.loads(Desa.objects.get(code="36.04.17.2010").boundary_geojson)["coordinates"][0]
    assert len(stored) == 5


SELF_INTERSECTING = [[[-6.10, 106.30], [-6.12, 106.32], [-6.10, 106.32], [-6.12, 106.30], [-6.10, 106.30]]]
SWAPPED = [[[p[1], p[0]] for p in ring()]]
OUT_OF_BOX = [[[p[0] + 40, p[1]] for p in ring()]]

BAD_INPUTS = {
    "malformed row": (
        HEADER.encode() + b"\t('36.04.17.2010','Mekarsari',-6.1,106.3,'[[[1,2]]]' 'x')" + b";\n",
        "baris 3: kolom ke-5 tidak dapat dibaca",
    ),
    "too few columns": (
        sql("\t('36.04.17.2010','Mekarsari',-6.1)"),
        "baris 3: baris berisi 3 kolom, seharusnya 5",
    ),
    "unterminated quote": (
        sql(sql_row("36.04.17.2001"), "\t('36.04.17.2010','Mekarsari,-6.1,106.3,'[]')"),
        "baris 4: baris SQL rusak",
    ),
    "invalid json path": (
        sql(sql_row("36.04.17.2010", path=None).replace("]]]'", "]]'")),
        "baris 3: 36.04.17.2010: path bukan JSON yang sah",
    ),
    "self-intersecting polygon": (
        sql(sql_row("36.04.17.2010", path=SELF_INTERSECTING)),
        "baris 3: 36.04.17.2010: bagian 1: poligon tidak sah (Self-intersection",
    ),
    "empty polygon": (sql(sql_row("36.04.17.2010", path=[])), "baris 3: 36.04.17.2010: poligon kosong"),
    "zero-area polygon": (
        sql(sql_row("36.04.17.2010", path=[[[-6.1, 106.3], [-6.1, 106.31], [-6.1, 106.32], [-6.1, 106.3]]])),
        "poligon kosong",
    ),
    "out of bounding box": (
        sql(sql_row("36.04.17.2010", path=OUT_OF_BOX)),
        "baris 3: 36.04.17.2010: titik (lintang 33.9, bujur 106.3) di luar wilayah Indonesia",
    ),
    "swapped lat/lng": (
        sql(sql_row("36.04.17.2010", path=SWAPPED, lat=106.31, lng=-6.11)),
        "baris 3: 36.04.17.2010: lintang/bujur tertukar",
    ),
    "kecamatan code in a desa file": (
        sql(sql_row("36.04.17.2010"), sql_row("36.04.17", "Carenang")),
        "baris 4: kode 36.04.17 (Carenang) adalah kecamatan, bukan desa",
    ),
    "duplicate code": (
        sql(sql_row("36.04.17.2010"), sql_row("36.04.17.2010")),
        "baris 4: kode 36.04.17.2010 ganda (sudah ada di baris 3)",
    ),
    "malformed code": (sql(sql_row("36.4.17.2010")), "baris 3: 36.4.17.2010: kode '36.4.17.2010' tidak sah"),
    "zero-byte file": (b"", "berkas kosong (0 byte)"),
    "wrong encoding": (
        sql(sql_row("36.04.17.2010"), sql_row("36.04.17.2001", "Carenang")).replace(
            b"Carenang", "Carénang".encode("latin-1")
        ),
        "baris 4: berkas bukan utf-8",
    ),
    "zip instead of text": (b"zip", "berkas ZIP, bukan teks"),
    "not sql at all": (b"kode,nama\n36.04.17.2010,Mekarsari\n", "bukan SQL INSERT maupun GeoJSON"),
}


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("desa.sql", sql(sql_row("36.04.17.2010")))
    return buffer.getvalue()


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_sql_input_is_named_and_changes_nothing(places, case):
    data, expected = BAD_INPUTS[case]
    if case == "zip instead of text":
        data = _zip_bytes()
    # A good row before the bad one must not be written either.
    before = snapshot()
    with pytest.raises(BoundaryImportError) as caught:
        run(data, level="desa")
    assert any(expected in message for message in caught.value.line_errors), caught.value.line_errors
    assert snapshot() == before


def test_every_bad_row_is_reported_not_just_the_first(places):
    data = sql(
        sql_row("36.04.17.2010", path=SELF_INTERSECTING),
        sql_row("36.04.17.2001"),
        sql_row("36.04.18.2003", path=OUT_OF_BOX),
    )
    with pytest.raises(BoundaryImportError) as caught:
        run(data)
    assert [m.split(":")[0] for m in caught.value.line_errors] == ["baris 3", "baris 5"]
    assert Desa.objects.get(code="36.04.17.2001").boundary_geojson == ""


def collection(properties, geometry) -> bytes:
    feature = {"type": "Feature", "properties": properties, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


MEKARSARI = {"kode": "36.04.17.2010"}
LNG_LAT_RING = [[p[1], p[0]] for p in ring()]

GEOJSON_BAD = {
    "invalid json": (
        b'{"type": "FeatureCollection", "features": [{"type": "Feature",\n "properties": }]}',
        "JSON tidak sah",
    ),
    "no features": (b'{"type": "FeatureCollection", "features": []}', "GeoJSON tanpa fitur"),
    "missing code property": (
        collection({"x": 1}, {"type": "Polygon", "coordinates": [LNG_LAT_RING]}),
        "fitur ke-1: tanpa properti kode 'kode' (properti yang ada: x)",
    ),
    "swapped (lat, lng) in geojson": (
        collection(MEKARSARI, {"type": "Polygon", "coordinates": [ring()]}),
        "fitur ke-1: 36.04.17.2010: lintang/bujur tertukar",
    ),
    "point geometry": (
        collection(MEKARSARI, {"type": "Point", "coordinates": [106.3, -6.1]}),
        "fitur ke-1: 36.04.17.2010: geometri Point, harus Polygon atau MultiPolygon",
    ),
}


@pytest.mark.parametrize("case", GEOJSON_BAD, ids=list(GEOJSON_BAD))
def test_bad_geojson_is_named_and_changes_nothing(places, case):
    data, expected = GEOJSON_BAD[case]
    before = snapshot()
    with pytest.raises(BoundaryImportError) as caught:
        boundaries_import(sources=[("desa.geojson", io.BytesIO(data))])
    assert any(expected in message for message in caught.value.line_errors), caught.value.line_errors
    assert snapshot() == before


def test_overlapping_parts_of_a_multipolygon_are_merged_and_reported(places):
    outer = ring(size=0.04)
    inner = ring(lat=-6.11, lng=106.31, size=0.01)  # a "nested shell", as in the real Cilograng data
    report = run(sql(sql_row("36.04.17.2010", path=[[outer], [inner]])))
    outline = json.loads(Desa.objects.get(code="36.04.17.2010").boundary_geojson)
    assert outline["type"] == "Polygon"
    assert report.merged_parts == ["36.04.17.2010"]


def test_a_bad_file_among_several_rejects_the_run_naming_the_file(places):
    with pytest.raises(BoundaryImportError) as caught:
        boundaries_import(
            sources=[("baik.sql", io.BytesIO(sql(sql_row("36.04.17.2010")))), ("kosong.sql", io.BytesIO(b""))]
        )
    assert caught.value.line_errors == ["kosong.sql, berkas kosong (0 byte)"]
    assert Desa.objects.get(code="36.04.17.2010").boundary_geojson == ""


def test_command_imports_and_lists_desa_without_boundary(places, tmp_path, capsys):
    path = tmp_path / "desa.sql"
    path.write_bytes(sql(sql_row("36.04.17.2010")))
    call_command("import_boundaries", str(path), "--prefix", "36.04", "--level", "desa")
    out = capsys.readouterr().out
    assert "desa 36.04.18.2003 Renged belum punya batas wilayah" in out
    assert "desa: 1 diperbarui" in out


def test_command_refuses_a_bad_file_with_every_line_on_stderr(places, tmp_path, capsys):
    path = tmp_path / "desa.sql"
    path.write_bytes(
        sql(sql_row("36.04.17.2001", path=OUT_OF_BOX), sql_row("36.04.17.2010"), sql_row("36.04.17.2010"))
    )
    with pytest.raises(CommandError, match="2 baris bermasalah"):
        call_command("import_boundaries", str(path))
    err = capsys.readouterr().err
    assert "baris 3: 36.04.17.2001: titik" in err
    assert "baris 5: kode 36.04.17.2010 ganda (sudah ada di baris 4)" in err


def test_streaming_import_of_a_large_file_keeps_memory_bounded(places, tmp_path):
    """A ~50 MB file, one INSERT statement: peak RSS grows far less than the file's size."""
    # Each row carries a 2,000-point ring (~55 KB); rows not in the database are only checked.
    detail = [[-6.10 - 0.02 * abs(((i % 400) - 200) / 200), 106.301 + 0.038 * i / 2000] for i in range(2000)]
    path_text = json.dumps([[[-6.10, 106.30], *detail, [-6.15, 106.34], [-6.15, 106.30], [-6.10, 106.30]]])
    path = tmp_path / "besar.sql"
    with path.open("w") as out:
        out.write(HEADER)
        for i in range(900):
            out.write(f"\t('36.04.17.{3000 + i:04d}','Desa {i}',-6.12,106.32,'{path_text}'),\n")
        out.write(f"\t('36.04.17.2010','Mekarsari',-6.12,106.32,'{path_text}');\n")
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 45
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with path.open("rb") as stream:
        report = boundaries_import(sources=[("besar.sql", stream)])
    grown_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_mb
    assert report.updated["desa"] == 1
    assert len(report.not_found) == 900
    # Whole-file reading would hold the text (≥ 50 MB) plus its parse; streaming holds ~1 MB chunks.
    assert grown_mb < size_mb / 2, f"peak RSS grew {grown_mb:.0f} MB for a {size_mb:.0f} MB file"


def test_a_centroid_set_by_the_boundary_import_is_kept_in_the_history_with_user_and_file(places):
    from tests.factories import UserFactory

    user = UserFactory(username="operator")
    boundaries_import(sources=[("batas-2024.sql", io.BytesIO(sql(sql_row("36.04.17.2010"))))], user=user)
    latest = Desa.history.filter(code="36.04.17.2010").latest()
    assert (float(latest.latitude), float(latest.longitude)) == (-6.11, 106.31)
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        user,
        "Impor batas wilayah: batas-2024.sql",
    )
    # A re-import that changes nothing adds no history row.
    count = Desa.history.filter(code="36.04.17.2010").count()
    boundaries_import(sources=[("batas-2024.sql", io.BytesIO(sql(sql_row("36.04.17.2010"))))], user=user)
    assert Desa.history.filter(code="36.04.17.2010").count() == count


def test_command_records_the_user_of_a_boundary_import(places, tmp_path):
    from tests.factories import UserFactory

    UserFactory(username="operator")
    path = tmp_path / "desa.sql"
    path.write_bytes(sql(sql_row("36.04.17.2010")))
    call_command("import_boundaries", str(path), "--user", "operator")
    latest = Desa.history.filter(code="36.04.17.2010").latest()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "operator",
        "Impor batas wilayah: desa.sql",
    )


def test_the_history_of_moved_centroids_is_what_simple_history_writes_copied_by_the_database(places):
    """Same rows as simple_history's bulk helper, but not sent field by field (13 parameters per
    desa): the database copies them from the stored rows."""
    from django.db import connection

    from tests.factories import UserFactory

    user = UserFactory(username="operator")
    codes = ["36.04.17.2010", "36.04.17.2001", "36.04.18.2003"]
    sent: list[int] = []
    before = Desa.history.order_by("-history_id").first().history_id

    def count_history_params(execute, sql_text, params, many, context):
        if "historical" in sql_text.split("(", 1)[0].lower():
            sent.append(len(params or ()))
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(count_history_params):
        boundaries_import(
            sources=[("batas.sql", io.BytesIO(sql(*(sql_row(code) for code in codes))))], user=user
        )
    columns = [f.attname for f in Desa.history.model._meta.concrete_fields if not f.primary_key]
    ours = list(Desa.history.filter(history_id__gt=before).order_by("history_id").values_list(*columns))
    assert [row[columns.index("history_type")] for row in ours] == ["~"] * 3
    mark = Desa.history.order_by("-history_id").first().history_id
    Desa.history.bulk_history_create(
        list(Desa.objects.filter(code__in=codes).order_by("pk")),
        update=True,
        default_user=user,
        default_change_reason="Impor batas wilayah: batas.sql",
        default_date=Desa.history.latest("history_id").history_date,
    )
    # Rows of one batch share their date; their order among themselves carries nothing.
    theirs = Desa.history.filter(history_id__gt=mark).values_list(*columns)
    assert sorted(ours) == sorted(theirs)
    assert sum(sent) <= 2 * (len(codes) + 2), sent

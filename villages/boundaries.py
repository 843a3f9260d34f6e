"""Reading administrative boundary files (pure: a byte stream in, rows and errors out, no database).

Two formats, both streamed so that a national file (≈380 MB of desa) is never held in memory:

* SQL as published by the public ``wilayah_boundaries`` data set: ``INSERT INTO
  wilayah_boundaries(kode,nama,lat,lng,path) VALUES ('36.04.17.2010','Mekarsari',-6.09,106.34,
  '[[[lat,lng],…]]'),(…);``. ``lat``/``lng`` is the centroid; ``path`` is a JSON string of rings
  whose points are **[latitude, longitude]**: a polygon (a list of rings, the first the outline)
  or a multipolygon (a list of such polygons). Tuples are cut from a buffered window by regular
  expressions, so one giant INSERT statement costs no more memory than its longest row.
* GeoJSON, as GIS staff export it: a FeatureCollection whose features carry the Kemendagri code in
  a property named by the caller; points are GeoJSON's **[longitude, latitude]**. Features are
  streamed with ijson; an error names the feature's number (its place in the collection).

Every geometry is checked with shapely: non-empty, every polygon valid on its own (a ring that
crosses itself is refused), inside Indonesia's bounding box, and not in swapped order (a file whose
points read [lng, lat] where [lat, lng] is expected is refused, not imported into the Indian Ocean).
Parts of a multipolygon that overlap each other (a common export artefact: "nested shells") are
merged, which changes no covered area. Polygons are then simplified for display with
``SIMPLIFY_TOLERANCE_DEG`` and rounded to ``COORDINATE_DECIMALS``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import ijson
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity

# Douglas–Peucker tolerance (shapely's simplify with preserve_topology): 0.0002° is about 22 m on
# the ground, under one screen pixel at zoom 12 (a kabupaten on one screen, ~38 m a pixel), and
# halves a kabupaten's map data (Kab. Serang's 326 desa: 1.3 MB of source text → ~0.45 MB).
SIMPLIFY_TOLERANCE_DEG = 0.0002
# Stored coordinates are rounded to 5 decimals (0.00001° ≈ 1.1 m), far finer than the simplification.
COORDINATE_DECIMALS = 5

# Indonesia with a margin: Sabang to Merauke, Miangas to Rote/Ndana.
LAT_RANGE = (-11.5, 6.5)
LNG_RANGE = (94.5, 141.5)

LEVEL_BY_PARTS = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
LEVELS = ("desa", "kecamatan", "kabupaten")
PART_LENGTHS = (2, 2, 2, 4)

CHUNK_CHARS = 1 << 20
# A single row longer than this is refused rather than buffered (a kabupaten outline of a whole
# island province is a few MB; anything past 64 MB is a broken quote swallowing the file).
MAX_ROW_CHARS = 64 << 20

SQL_COLUMNS = ("kode", "nama", "lat", "lng", "path")
_COLUMN_ALIASES = {
    "kode": "kode",
    "code": "kode",
    "kode_wilayah": "kode",
    "nama": "nama",
    "name": "nama",
    "lat": "lat",
    "latitude": "lat",
    "lintang": "lat",
    "lng": "lng",
    "lon": "lng",
    "long": "lng",
    "longitude": "lng",
    "bujur": "lng",
    "path": "path",
    "geometry": "path",
    "polygon": "path",
}

_WS = re.compile(r"[\s,;]+")
_INSERT = re.compile(
    r"insert\s+(?:ignore\s+)?into\s+[`\"\[]?[\w.]+[`\"\]]?\s*(?:\(([^)]*)\))?\s*values\s*", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z_]+")
# A statement other than INSERT (DELETE, SET, CREATE TABLE …): skipped up to its semicolon.
_OTHER_STATEMENT = re.compile(r"(?:'(?:[^'\\]++|''|\\.)*+'|[^';])*+;")
# The body of a tuple: quoted strings (SQL '' or backslash escapes) and anything but quotes and
# parentheses. Possessive, so a broken row fails in linear time instead of backtracking.
_TUPLE_BODY = re.compile(r"\((?:'(?:[^'\\]++|''|\\.)*+'|[^'()]++)*+")
_FIELD = re.compile(
    r"\s*(?:'((?:[^'\\]++|''|\\.)*+)'|(NULL)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))\s*(?:,|$)",
    re.IGNORECASE | re.DOTALL,
)
_ESCAPE = re.compile(r"''|\\(.)", re.DOTALL)
_BACKSLASH = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


class BoundaryFileError(ValueError):
    """The file cannot be read at all (empty, binary, a ZIP, undecodable, not JSON)."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(f"baris {line}: {message}" if line else message)


@dataclass(frozen=True)
class BoundaryRow:
    line: int  # SQL: the row's line; GeoJSON: the feature's number
    code: str
    name: str
    level: str
    latitude: float
    longitude: float
    geojson: str  # the simplified geometry, GeoJSON ([lng, lat]) text
    merged_parts: bool = False
    feature: bool = False  # from GeoJSON: ``line`` is the feature's number


@dataclass(frozen=True)
class RowError:
    line: int
    message: str  # names its place: "baris 12: …" (SQL) or "fitur ke-3: …" (GeoJSON)


def code_level(code: str) -> str | None:
    """'desa', 'kecamatan', 'kabupaten' or 'provinsi' for a well-formed Kemendagri code, else None."""
    parts = code.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    for part, length in zip(parts, PART_LENGTHS, strict=False):
        if len(part) != length or not part.isdigit():
            return None
    return LEVEL_BY_PARTS[len(parts)]


# ---------------------------------------------------------------------------------------------
# Bytes to text: refuse binaries, decode incrementally, name the line of an undecodable byte.


_MAGIC = {
    b"PK\x03\x04": "berkas ZIP, bukan teks: ekstrak dulu berkas .sql atau .geojson di dalamnya",
    b"PK\x05\x06": "berkas ZIP (kosong), bukan teks",
    b"\x1f\x8b": "berkas terkompresi gzip, bukan teks: ekstrak dulu (gunzip)",
    b"7z\xbc\xaf": "berkas 7-Zip, bukan teks: ekstrak dulu",
    b"Rar!": "berkas RAR, bukan teks: ekstrak dulu",
    b"%PDF": "berkas PDF, bukan data batas wilayah",
    b"SQLite format 3": "basis data SQLite, bukan teks SQL: ekspor dulu sebagai .sql",
}


class TextStream:
    """Decoded text from a binary stream, a chunk at a time, counting the lines handed out."""

    def __init__(self, raw: BinaryIO, encoding: str = "utf-8"):
        self._raw = raw
        head = raw.read(4096)
        if not head:
            raise BoundaryFileError(0, "berkas kosong (0 byte)")
        for magic, message in _MAGIC.items():
            if head.startswith(magic):
                raise BoundaryFileError(0, message)
        name = encoding.lower().replace("_", "-")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            name = "utf-16"
        elif name in ("utf-8", "utf8"):
            name = "utf-8-sig"
        elif b"\0" in head:
            raise BoundaryFileError(0, "berkas biner (berisi byte NUL), bukan teks SQL atau GeoJSON")
        try:
            self._decoder = codecs.getincrementaldecoder(name)("strict")
        except LookupError as exc:
            raise BoundaryFileError(0, f"encoding '{encoding}' tidak dikenal") from exc
        self.encoding = encoding
        self._pending = head
        self.lines_before = 1  # line number at the start of the next chunk
        self.eof = False

    def read(self) -> str:
        """The next chunk of text ('' at the end)."""
        if self.eof:
            return ""
        data = self._pending or self._raw.read(CHUNK_CHARS)
        self._pending = b""
        final = not data
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            line = self.lines_before + data[: max(exc.start, 0)].count(b"\n")
            raise BoundaryFileError(
                line,
                f"berkas bukan {self.encoding} (byte tak dikenal {data[exc.start : exc.start + 1]!r}); "
                "simpan ulang sebagai UTF-8 atau sebutkan encoding-nya",
            ) from exc
        if "\0" in text:
            raise BoundaryFileError(self.lines_before, "berkas biner (berisi byte NUL), bukan teks")
        if final:
            self.eof = True
        self.lines_before += text.count("\n")
        return text


class _Utf8Reader:
    """A file-like object giving ijson UTF-8 bytes from a TextStream (any source encoding)."""

    def __init__(self, text: TextStream, first: str):
        self.text = text
        self._pending = first
        self.line = 1  # the line at the end of what ijson has read so far

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            self._pending = self.text.read()
        size = len(self._pending) if size is None or size < 0 else size
        piece, self._pending = self._pending[:size], self._pending[size:]
        self.line += piece.count("\n")
        return piece.encode("utf-8")


def detect_format(text: TextStream) -> tuple[str, str]:
    """('geojson' or 'sql', the first chunk): by the first character that is not blank."""
    first = text.read()
    while first and not first.strip() and not text.eof:
        first += text.read()
    stripped = first.lstrip()
    if not stripped:
        raise BoundaryFileError(0, "berkas kosong: hanya spasi")
    return ("geojson" if stripped[0] in "{[" else "sql"), first


# ---------------------------------------------------------------------------------------------
# Geometry: nested lists to a checked, simplified shapely geometry.


def _depth(value) -> int:
    depth = 0
    while isinstance(value, list) and value:
        depth += 1
        value = value[0]
    return depth


def _in_box(lat: float, lng: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1]


def check_point(lat: float, lng: float, *, order: str) -> str | None:
    """Why (lat, lng) cannot be a place in Indonesia, or None; ``order`` names how the file writes it."""
    if _in_box(lat, lng):
        return None
    if _in_box(lng, lat):
        swapped = "[bujur, lintang]" if order == "[lintang, bujur]" else "[lintang, bujur]"
        return (
            f"lintang/bujur tertukar: titik ({lat:g}, {lng:g}) terbaca sebagai {swapped}, padahal format "
            f"ini menulis {order}; perbaiki urutan kolom di berkas sumber"
        )
    return (
        f"titik (lintang {lat:g}, bujur {lng:g}) di luar wilayah Indonesia "
        f"(lintang {LAT_RANGE[0]}..{LAT_RANGE[1]}, bujur {LNG_RANGE[0]}..{LNG_RANGE[1]})"
    )


def _ring_lng_lat(ring, p_index: int, *, lat_first: bool, order: str) -> np.ndarray:
    """One ring as an (n, 2) array of (lng, lat), checked against Indonesia's box (vectorised:
    a national file has tens of millions of points)."""
    try:
        array = np.asarray(ring, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim != 2 or array.shape[1] < 2 or not np.isfinite(array[:, :2]).all():
        raise ValueError(f"bagian {p_index}: ada titik yang bukan pasangan angka {order}")
    lat, lng = (array[:, 0], array[:, 1]) if lat_first else (array[:, 1], array[:, 0])
    outside = ~((lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1]) & (lng >= LNG_RANGE[0]) & (lng <= LNG_RANGE[1]))
    if outside.any():
        first = int(np.argmax(outside))
        raise ValueError(check_point(float(lat[first]), float(lng[first]), order=order))
    xy = np.column_stack([lng, lat])
    if len(xy) < 3:  # fewer distinct points than that is caught as a zero-area polygon
        raise ValueError(f"bagian {p_index}: cincin dengan kurang dari 3 titik berbeda (poligon kosong)")
    return xy


def build_geometry(coordinates, *, lat_first: bool) -> tuple[Polygon | MultiPolygon, bool]:
    """A valid (Multi)Polygon in (lng, lat) from rings of points; ValueError says what is wrong.

    Returns the geometry and whether overlapping parts were merged.
    """
    order = "[lintang, bujur]" if lat_first else "[bujur, lintang]"
    depth = _depth(coordinates)
    if depth == 0:
        raise ValueError("poligon kosong (tanpa titik)")
    if depth == 3:
        polygons = [coordinates]
    elif depth == 4:
        polygons = coordinates
    else:
        raise ValueError(
            f"susunan koordinat tidak dikenal (kedalaman {depth}); harus poligon [[[{order}…]]] "
            "atau multipoligon [[[[…]]]]"
        )
    parts: list[Polygon] = []
    for p_index, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            raise ValueError(f"bagian {p_index}: poligon kosong")
        shell_and_holes = [_ring_lng_lat(ring, p_index, lat_first=lat_first, order=order) for ring in rings]
        polygon = Polygon(shell_and_holes[0], shell_and_holes[1:] or None)
        if polygon.is_empty or (polygon.area == 0 and polygon.convex_hull.area == 0):
            raise ValueError(f"bagian {p_index}: poligon kosong (semua titik segaris, luas nol)")
        if not polygon.is_valid:
            raise ValueError(f"bagian {p_index}: poligon tidak sah ({explain_validity(polygon)})")
        parts.append(polygon)
    if len(parts) == 1:
        return parts[0], False
    multi = MultiPolygon(parts)
    if multi.is_valid:
        return multi, False
    merged = shapely.union_all(parts)
    if merged.is_empty or not merged.is_valid or merged.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"multipoligon tidak sah ({explain_validity(multi)})")
    return merged, True


def display_geojson(geometry: Polygon | MultiPolygon) -> str:
    """Simplified GeoJSON text of a valid geometry, coordinates rounded to ``COORDINATE_DECIMALS``."""
    simple = geometry.simplify(SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    if simple.is_empty:
        simple = geometry
    return shapely.to_geojson(shapely.transform(simple, lambda xy: np.round(xy, COORDINATE_DECIMALS)))


def centroid_of(geometry: Polygon | MultiPolygon) -> tuple[float, float]:
    """(lat, lng) of the area's centroid, or a point surely inside it when the centroid is not."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    return point.y, point.x


# ---------------------------------------------------------------------------------------------
# Rows from either format.


def _row_from_values(
    *,
    line: int,
    code: str,
    name: str,
    coordinates,
    lat_first: bool,
    centroid: tuple[float, float] | None,
    feature: bool = False,
) -> BoundaryRow:
    code = code.strip()
    level = code_level(code)
    if level is None:
        raise ValueError(f"kode '{code}' tidak sah (bentuk PP.KK.CC.DDDD)")
    name = " ".join(str(name or "").split())
    geometry, merged = build_geometry(coordinates, lat_first=lat_first)
    if centroid is None:
        latitude, longitude = centroid_of(geometry)
    else:
        latitude, longitude = centroid
        problem = check_point(latitude, longitude, order="lat, lng")
        if problem:
            raise ValueError(f"titik tengah: {problem}")
    return BoundaryRow(
        line=line,
        code=code,
        name=name,
        level=level,
        latitude=latitude,
        longitude=longitude,
        geojson=display_geojson(geometry),
        merged_parts=merged,
        feature=feature,
    )


def _unescape(value: str) -> str:
    if "'" not in value and "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "'" if m.group(0) == "''" else _BACKSLASH.get(m.group(1), m.group(1)), value)


def _sql_fields(body: str) -> list[str | float | None]:
    fields: list[str | float | None] = []
    position = 0
    while position < len(body):
        match = _FIELD.match(body, position)
        if not match or match.end() == position:
            snippet = body[position : position + 30].strip()
            raise ValueError(f"kolom ke-{len(fields) + 1} tidak dapat dibaca: '{snippet}…'")
        if match.group(1) is not None:
            fields.append(_unescape(match.group(1)))
        elif match.group(2) is not None:
            fields.append(None)
        else:
            fields.append(float(match.group(3)))
        position = match.end()
    return fields


def _sql_columns(header: str | None, line: int) -> list[str]:
    if not header:
        return list(SQL_COLUMNS)
    columns = [_COLUMN_ALIASES.get(c.strip().strip('`"[]').lower(), "") for c in header.split(",")]
    missing = [c for c in ("kode", "lat", "lng", "path") if c not in columns]
    if missing:
        raise BoundaryFileError(
            line, f"pernyataan INSERT tanpa kolom {', '.join(missing)} (perlu kode, nama, lat, lng, path)"
        )
    return columns


def _sql_row(line: int, body: str, columns: list[str]) -> BoundaryRow:
    values = _sql_fields(body)
    if len(values) != len(columns):
        raise ValueError(f"baris berisi {len(values)} kolom, seharusnya {len(columns)}")
    row = dict(zip(columns, values, strict=True))
    code = row.get("kode")
    if not isinstance(code, str):
        raise ValueError("kolom kode harus berupa teks berkutip")
    path = row.get("path")
    if not isinstance(path, str):
        raise ValueError(f"{code}: kolom path harus berupa teks JSON berkutip")
    try:
        coordinates = json.loads(path)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{code}: path bukan JSON yang sah ({exc.msg}, posisi {exc.pos})") from exc
    lat, lng = row.get("lat"), row.get("lng")
    if lat is None and lng is None:
        centroid = None
    elif isinstance(lat, float) and isinstance(lng, float):
        centroid = (lat, lng)
    else:
        raise ValueError(f"{code}: lat dan lng harus angka (atau keduanya NULL)")
    try:
        return _row_from_values(
            line=line,
            code=code,
            name=str(row.get("nama") or ""),
            coordinates=coordinates,
            lat_first=True,
            centroid=centroid,
        )
    except ValueError as exc:
        raise ValueError(f"{code}: {exc}") from exc


def _sql_error(line: int, message: str) -> RowError:
    return RowError(line, f"baris {line}: {message}")


def read_sql(text: TextStream, first: str) -> Iterator[BoundaryRow | RowError]:
    """Rows of every INSERT tuple, a BoundaryRow or a RowError naming its line."""
    buffer, position = first, 0
    line = 1  # line at ``position``
    columns: list[str] | None = None

    def more() -> bool:
        nonlocal buffer, position
        chunk = text.read()
        if not chunk:
            return False
        buffer = buffer[position:] + chunk
        position = 0
        return True

    def advance(to: int) -> None:
        nonlocal position, line
        line += buffer.count("\n", position, to)
        position = to

    while True:
        ws = _WS.match(buffer, position)
        if ws:
            advance(ws.end())
        if len(buffer) - position < 2 and more():
            continue
        if position >= len(buffer) and not more():
            break
        head = buffer[position : position + 2]
        if head == "/*":
            end = buffer.find("*/", position + 2)
            while end < 0 and more():
                end = buffer.find("*/", position + 2)
            if end < 0:
                yield _sql_error(line, "komentar /* tidak ditutup */ sampai akhir berkas")
                return
            advance(end + 2)
            continue
        if head == "--" or head[0] == "#":
            end = buffer.find("\n", position)
            while end < 0 and more():
                end = buffer.find("\n", position)
            advance(len(buffer) if end < 0 else end + 1)
            continue
        if head[0] == "(" and columns is not None:
            match = _TUPLE_BODY.match(buffer, position)
            while match.end() == len(buffer) or (buffer[match.end()] == "'" and not text.eof):
                if match.end() - position > MAX_ROW_CHARS:
                    yield _sql_error(
                        line, f"baris lebih dari {MAX_ROW_CHARS >> 20} MB: tanda kutip tidak ditutup?"
                    )
                    return
                if not more():
                    break
                match = _TUPLE_BODY.match(buffer, position)
            end = match.end()
            if end < len(buffer) and buffer[end] == ")":
                try:
                    yield _sql_row(line, buffer[position + 1 : end], columns)
                except ValueError as exc:
                    yield _sql_error(line, str(exc))
                advance(end + 1)
                continue
            reason = (
                "tanda kutip tidak ditutup"
                if end < len(buffer) and buffer[end] == "'"
                else (
                    "tanda kurung '(' tak terduga di dalam baris" if end < len(buffer) else "baris terpotong"
                )
            )
            yield _sql_error(line, f"baris SQL rusak: {reason}")
            if end >= len(buffer) or buffer[end] == "'":
                return
            next_line = buffer.find("\n", end)
            advance(len(buffer) if next_line < 0 else next_line + 1)
            continue
        word = _WORD.match(buffer, position)
        while word and word.end() == len(buffer) and more():
            word = _WORD.match(buffer, position)
        keyword = word.group(0).lower() if word else ""
        if keyword == "insert":
            match = _INSERT.match(buffer, position)
            while match is None and len(buffer) - position < 4096 and more():
                match = _INSERT.match(buffer, position)
            if match is None:
                yield _sql_error(
                    line, "pernyataan INSERT tidak dikenali (harus INSERT INTO tabel(kolom…) VALUES)"
                )
                return
            try:
                columns = _sql_columns(match.group(1), line)
            except BoundaryFileError as exc:
                yield RowError(exc.line, str(exc))
                return
            advance(match.end())
            continue
        if keyword:
            match = _OTHER_STATEMENT.match(buffer, position)
            while (match is None or match.end() == len(buffer)) and more():
                match = _OTHER_STATEMENT.match(buffer, position)
            advance(match.end() if match else len(buffer))
            columns = None
            continue
        snippet = buffer[position : position + 20].split("\n")[0]
        yield _sql_error(line, f"teks tak terduga '{snippet}' (bukan baris INSERT … VALUES)")
        next_line = buffer.find("\n", position)
        while next_line < 0 and more():
            next_line = buffer.find("\n", position)
        advance(len(buffer) if next_line < 0 else next_line + 1)


def read_geojson(text: TextStream, first: str, *, code_property: str) -> Iterator[BoundaryRow | RowError]:
    """Rows of a FeatureCollection's features; a RowError names the feature's number."""
    reader = _Utf8Reader(text, first)
    number = 0
    try:
        for number, feature in enumerate(ijson.items(reader, "features.item", use_float=True), start=1):
            try:
                yield _geojson_row(number, feature, code_property)
            except ValueError as exc:
                yield RowError(number, f"fitur ke-{number}: {exc}")
    except ijson.JSONError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise BoundaryFileError(
            reader.line, f"JSON tidak sah setelah fitur ke-{number} ({detail}; posisi kira-kira)"
        ) from exc
    if number == 0:
        raise BoundaryFileError(
            0, 'GeoJSON tanpa fitur: harus FeatureCollection dengan daftar "features" yang berisi'
        )


def _geojson_row(number: int, feature, code_property: str) -> BoundaryRow:
    if not isinstance(feature, dict):
        raise ValueError("bukan objek Feature")
    properties = feature.get("properties") or {}
    code = properties.get(code_property) if isinstance(properties, dict) else None
    if code is None or not str(code).strip():
        available = ", ".join(sorted(properties)[:8]) if isinstance(properties, dict) else ""
        raise ValueError(f"tanpa properti kode '{code_property}' (properti yang ada: {available or '-'})")
    code = str(code).strip()
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else "kosong"
        raise ValueError(f"{code}: geometri {kind}, harus Polygon atau MultiPolygon")
    name = next((properties[k] for k in ("nama", "name", "NAMOBJ", "NAMA") if properties.get(k)), "")
    try:
        return _row_from_values(
            line=number,
            code=code,
            name=str(name),
            coordinates=geometry.get("coordinates"),
            lat_first=False,
            centroid=None,
            feature=True,
        )
    except ValueError as exc:
        raise ValueError(f"{code}: {exc}") from exc


def read_boundaries(
    raw: BinaryIO, *, encoding: str = "utf-8", code_property: str = "kode"
) -> tuple[str, Iterator[BoundaryRow | RowError]]:
    """The file's format and its rows; BoundaryFileError when it cannot be read at all."""
    text = TextStream(raw, encoding)
    file_format, first = detect_format(text)
    if file_format == "geojson":
        return file_format, read_geojson(text, first, code_property=code_property)
    if not re.search(r"insert\s+(?:ignore\s+)?into", first, re.IGNORECASE):
        # The INSERT comes after a short comment header; a megabyte without one is another format.
        raise BoundaryFileError(0, "bukan SQL INSERT maupun GeoJSON: tidak ada pernyataan INSERT INTO")
    return file_format, read_sql(text, first)

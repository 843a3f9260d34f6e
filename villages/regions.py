"""Reading the Kemendagri region code list (pure: text in, rows and errors out, no database).

The list circulates as CSV/TSV (`kode,nama`, with or without a header) or as SQL
`INSERT ... VALUES ('36.04.17','Carenang'), ...`. Codes have 1 to 4 dotted parts:
province (36), kabupaten (36.04), kecamatan (36.04.17), desa (36.04.17.2010).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pilkades.import_files import binary_kind, csv_records, is_utf16, nul_lines
from pilkades.spreadsheets import unescape

PART_LENGTHS = (2, 2, 2, 4)
KIND_BY_PARTS = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
_SQL_TUPLE = re.compile(r"\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'\s*\)")
_HEADER_WORDS = {"kode", "code", "kode_wilayah", "kode wilayah", "id"}


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str

    @property
    def kind(self) -> str:
        return KIND_BY_PARTS[self.code.count(".") + 1]

    @property
    def parent_code(self) -> str:
        return self.code.rsplit(".", 1)[0]


@dataclass
class ParsedRegions:
    rows: list[RegionRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Decode a file, naming the line of the first undecodable byte (ValueError); a file that is no
    text at all (a spreadsheet, an archive, UTF-16 read as UTF-8) gets one message saying what it is."""
    kind = binary_kind(data)
    if kind:
        raise ValueError(f"berkas ini {kind}, bukan daftar kode; unggah CSV/TSV (kode,nama) atau SQL INSERT.")
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    if utf8 and is_utf16(data):
        raise ValueError("berkas ini teks UTF-16; simpan ulang sebagai UTF-8 atau sebutkan encoding utf-16.")
    try:
        return data.decode("utf-8-sig" if utf8 else encoding)
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:
            raise ValueError("berkas biner, bukan teks; unggah CSV/TSV (kode,nama) atau SQL INSERT.") from exc
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"baris {line}: berkas bukan {encoding} (byte tidak dikenal di posisi {exc.start}); "
            "simpan ulang sebagai UTF-8 atau sebutkan encoding-nya."
        ) from exc


def code_problem(code: str) -> str | None:
    parts = code.split(".")
    if not 1 <= len(parts) <= 4:
        return f"kode '{code}' harus terdiri dari 1 sampai 4 bagian bertitik"
    for part, length in zip(parts, PART_LENGTHS, strict=False):
        if len(part) != length or not part.isdigit():
            return f"kode '{code}' tidak sah (bentuk PP.KK.CC.DDDD)"
    return None


def _sql_pairs(text: str) -> Iterator[tuple[int, str, str]]:
    line, position = 1, 0
    for match in _SQL_TUPLE.finditer(text):
        # Count newlines incrementally: a national list is one long text.
        line += text.count("\n", position, match.start())
        position = match.start()
        yield line, match.group(1).replace("''", "'"), match.group(2).replace("''", "'")


def _delimited_records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    sample = text[:4096]
    delimiter = "\t" if "\t" in sample else (";" if sample.count(";") > sample.count(",") else ",")
    return csv_records(text, delimiter=delimiter)


def parse(text: str, prefix: str = "") -> ParsedRegions:
    """Rows within ``prefix`` (a code such as '36' or '36.04'; empty for all), and every bad line."""
    result = ParsedRegions()
    if not text.strip():
        result.errors.append((0, "berkas kosong: tidak ada baris wilayah"))
        return result

    if re.search(r"\binsert\s+into\b", text, re.IGNORECASE):
        pairs: Iterator[tuple[int, str, str]] = _sql_pairs(text)
    else:
        pairs = _csv_pairs(text, result)

    damaged = nul_lines(text)
    result.errors.extend(
        (line, "berisi karakter NUL (byte 0): berkas rusak atau bukan teks") for line in damaged
    )
    seen: dict[str, int] = {}
    for line, raw_code, raw_name in pairs:
        if line in damaged:
            continue
        code, name = raw_code.strip(), " ".join(raw_name.split())
        if prefix and code != prefix and not code.startswith(prefix + "."):
            continue
        problem = code_problem(code)
        if problem:
            result.errors.append((line, problem))
            continue
        if not name:
            result.errors.append((line, f"kode '{code}' tanpa nama"))
            continue
        if code in seen:
            result.errors.append((line, f"kode '{code}' ganda (sudah ada di baris {seen[code]})"))
            continue
        seen[code] = line
        result.rows.append(RegionRow(line=line, code=code, name=name))
    if not result.rows and not result.errors:
        where = f" dengan awalan {prefix}" if prefix else ""
        result.errors.append((0, f"tidak ada baris wilayah{where}"))
    return result


def _csv_pairs(text: str, result: ParsedRegions) -> Iterator[tuple[int, str, str]]:
    for line, row, problem in _delimited_records(text):
        if problem:
            result.errors.append((line, problem))
            continue
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower().strip("\ufeff") in _HEADER_WORDS:
            continue
        if len(cells) < 2:
            result.errors.append((line, "baris harus berisi kode dan nama"))
            continue
        # A name our own export wrote as text (`'=...`) reads back as the name it was.
        yield line, cells[0], unescape(cells[1])

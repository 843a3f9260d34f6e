"""What the region and roster imports share when they read a file and record what they wrote."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TextIO

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# django-simple-history's change reason is a CharField(max_length=100).
_CHANGE_REASON_LENGTH = 100

# Files people upload by mistake, known by their first bytes.
_SIGNATURES = (
    (b"PK\x03\x04", "arsip ZIP (mis. XLSX, DOCX atau ZIP)"),
    (b"PK\x05\x06", "arsip ZIP (mis. XLSX, DOCX atau ZIP)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "dokumen Office lama (mis. XLS atau DOC)"),
    (b"%PDF", "dokumen PDF"),
    (b"\x89PNG", "gambar PNG"),
    (b"\xff\xd8\xff", "gambar JPEG"),
    (b"GIF8", "gambar GIF"),
    (b"\x1f\x8b", "arsip GZIP"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def import_change_reason(label: str, source_name: str | None) -> str:
    """'<label>: <file name>' for the history rows an import writes, cut to fit the column."""
    reason = f"{label}: {source_name}" if source_name else label
    return reason if len(reason) <= _CHANGE_REASON_LENGTH else reason[: _CHANGE_REASON_LENGTH - 1] + "…"


def binary_kind(data: bytes) -> str | None:
    """What a file that is not text is ('arsip ZIP ...'), from its first bytes; None for anything else."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def is_utf16(data: bytes) -> bool:
    """Excel's 'Unicode text' and some Windows tools write UTF-16 with a byte-order mark."""
    return data[:2] in _UTF16_BOMS


def nul_lines(text: str) -> set[int]:
    """Numbers of the lines holding a NUL character: PostgreSQL refuses it in text, and in a list
    of names it means a damaged or binary file."""
    if "\x00" not in text:
        return set()
    return {number for number, line in enumerate(text.split("\n"), start=1) if "\x00" in line}


def csv_records(text: str | TextIO, **dialect: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line, cells, None) per record, or (line, None, problem) for a record the csv module refuses
    (a cell over its field size limit); reading goes on with the next line. ``text`` may be a
    stream (opened with newline=""), read as it goes."""
    reader = csv.reader(io.StringIO(text) if isinstance(text, str) else text, **dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, None, _csv_problem(exc)
        else:
            yield reader.line_num, row, None


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"sel lebih dari {csv.field_size_limit():,} karakter".replace(",", ".")
    return f"baris CSV tidak dapat dibaca ({exc})"


def admin_upload_help(command: str, max_rows: int | None = None) -> str:
    """The admin upload field's help: how large a file the page takes, and what takes larger ones."""
    values = {
        "limit": filesizeformat(settings.PILKADES_ADMIN_IMPORT_MAX_BYTES),
        "rows": intcomma(max_rows),
        "command": command,
    }
    if max_rows is None:
        return (
            _(
                "Paling besar %(limit)s lewat halaman ini. Berkas yang lebih besar diimpor di server "
                "dengan perintah: manage.py %(command)s BERKAS"
            )
            % values
        )
    return (
        _(
            "Paling besar %(limit)s dan %(rows)s baris lewat halaman ini. Berkas yang lebih besar "
            "diimpor di server dengan perintah: manage.py %(command)s BERKAS"
        )
        % values
    )


def too_many_rows_for_admin(rows: int, max_rows: int, command: str) -> str | None:
    """Why the admin refuses a file of ``rows`` rows (None if it takes it): an import that saves row
    by row outlasts the worker's timeout long before it reaches the byte limit."""
    if rows <= max_rows:
        return None
    return _(
        "Berkas berisi %(rows)s baris; lewat admin paling banyak %(limit)s baris. Impor berkas "
        "sebesar ini di server dengan perintah: manage.py %(command)s BERKAS"
    ) % {"rows": intcomma(rows), "limit": intcomma(max_rows), "command": command}


def too_large_for_admin(size: int, command: str) -> str | None:
    """Why the admin refuses an upload of ``size`` bytes (None if it takes it). The whole import runs
    in one web request: past PILKADES_ADMIN_IMPORT_MAX_BYTES it would outlast the worker's timeout."""
    limit = settings.PILKADES_ADMIN_IMPORT_MAX_BYTES
    if size <= limit:
        return None
    return _(
        "Berkas %(size)s terlalu besar untuk impor lewat admin (paling besar %(limit)s). Impor berkas "
        "sebesar ini di server dengan perintah: manage.py %(command)s BERKAS"
    ) % {"size": filesizeformat(size), "limit": filesizeformat(limit), "command": command}

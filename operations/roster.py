"""Personnel rosters in and out (CSV/XLSX): one resource for the admin, the command and exports."""

from __future__ import annotations

import io
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import tablib
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets
from import_export.results import Error, Result, RowResult

from jobs.progress import Progress
from operations.models import Officer, Unit
from operations.ranks import Pangkat, normalise_rank
from operations.services.officers import RowErrors, officers_upsert
from pilkades.import_files import binary_kind, csv_records, import_change_reason, is_utf16, nul_lines
from pilkades.spreadsheets import safe_cell, unescape
from villages.models import Desa

ROSTER_FORMATS = ("csv", "xlsx")


class RankWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        rank = normalise_rank(str(value or ""))
        if rank is None:
            raise ValueError(f"pangkat '{value}' tidak dikenal")
        return int(rank)

    def render(self, value, obj=None, **kwargs):
        return Pangkat(value).label if value else ""


class UnitWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if not value or not str(value).strip():
            raise ValueError("satuan wajib diisi")
        try:
            return self.model.objects.get(name__iexact=str(value).strip())
        except self.model.DoesNotExist as exc:
            raise ValueError(f"satuan '{value}' tidak ditemukan") from exc


class NrpWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        # Spreadsheets turn 8-digit NRPs into numbers and drop leading zeros.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            return str(value).zfill(8)
        return str(value or "").strip()


class ActiveWidget(widgets.Widget):
    """'ya'/'tidak' in a roster (1/0, true/false, aktif/nonaktif read too)."""

    TRUE = {"ya", "y", "1", "true", "aktif", "yes"}
    FALSE = {"tidak", "t", "0", "false", "nonaktif", "no", "tidak aktif"}

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip().lower() if value is not None else ""
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"'{value}' bukan ya atau tidak")

    def render(self, value, obj=None, **kwargs):
        return "ya" if value else "tidak"


# Roster column → the key of an officers_upsert row (the bulk API's names).
COLUMNS = {
    "NRP": "nrp",
    "Nama": "name",
    "Pangkat": "rank",
    "Jabatan": "position",
    "Satuan": "unit_name",
    "Kode Desa Asal": "home_desa_code",
    "Telepon": "phone",
    "Aktif": "is_active",
}
# The upsert's error keys named as the roster's columns (a posting rule names the field it breaks).
_ERROR_COLUMNS = {
    **{key: column for column, key in COLUMNS.items()},
    "unit": "Satuan",
    "home_desa": "Kode Desa Asal",
    "jabatan": "Jabatan",
    "desa_binaan": "Desa binaan",
}


class OfficerResource(resources.ModelResource):
    """The roster's columns for export; an import goes through ``officers_upsert`` (the bulk API's
    service) in ``import_data``, so the admin, the command and the API share one rule."""

    nrp = fields.Field(attribute="nrp", column_name="NRP", widget=NrpWidget())
    name = fields.Field(attribute="name", column_name="Nama")
    rank = fields.Field(attribute="rank", column_name="Pangkat", widget=RankWidget())
    position = fields.Field(attribute="position", column_name="Jabatan")
    unit = fields.Field(attribute="unit", column_name="Satuan", widget=UnitWidget(Unit, field="name"))
    home_desa = fields.Field(
        attribute="home_desa", column_name="Kode Desa Asal", widget=widgets.ForeignKeyWidget(Desa, "code")
    )
    phone = fields.Field(attribute="phone", column_name="Telepon")
    is_active = fields.Field(attribute="is_active", column_name="Aktif", widget=ActiveWidget())

    class Meta:
        model = Officer
        fields = ("nrp", "name", "rank", "position", "unit", "home_desa", "phone", "is_active")
        import_id_fields = ("nrp",)

    def export_field(self, field, instance, **kwargs):
        # Here, for every format the admin offers and for roster_export: a name is never a formula.
        return safe_cell(super().export_field(field, instance, **kwargs))

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """The admin's preview (dry run) and confirm: the same import as roster_import, its
        outcome in the shape the import page shows (rows, row errors, totals)."""
        result = Result()
        result.diff_headers = list(dataset.headers or [])
        try:
            outcome = _import_dataset(
                dataset, dry_run=dry_run, user=kwargs.get("user"), source_name=kwargs.get("file_name")
            )
        except RosterImportError as exc:
            if raise_errors:
                raise
            values = {}
            for line, reason in exc.line_errors:
                values.setdefault(line, []).append(reason)
            for line, reasons in values.items():
                if line < 2:
                    result.append_base_error(Error(ValidationError(reasons)))
                    continue
                row = dict(zip(result.diff_headers, dataset[line - 2], strict=False))
                result.append_invalid_row(line - 1, row, ValidationError(reasons))
            return result
        for index, (kind, instance) in enumerate(zip(outcome.kinds, outcome.instances, strict=True)):
            row_result = RowResult()
            row_result.import_type = kind
            row_result.diff = list(dataset[index])
            row_result.instance = instance
            row_result.add_instance_info(instance)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.total_rows = len(dataset)
        return result

    def get_export_queryset(self, request=None):
        return Officer.objects.select_related("unit", "home_desa").order_by("unit__name", "-rank", "nrp")


@dataclass(frozen=True)
class RosterImportReport:
    new: int
    updated: int
    unchanged: int
    dry_run: bool

    def summary(self) -> str:
        prefix = "Pratinjau (belum disimpan): " if self.dry_run else ""
        return f"{prefix}{self.new} baru, {self.updated} diperbarui, {self.unchanged} tidak berubah"


class RosterImportError(ValidationError):
    def __init__(self, line_errors: list[tuple[int, str]]):
        self.line_errors = line_errors
        super().__init__([f"baris {line}: {reason}" if line else reason for line, reason in line_errors])


def _refuse_unsupported(data: bytes, file_format: str) -> None:
    if file_format not in ROSTER_FORMATS:
        raise RosterImportError([(0, f"format '{file_format}' tidak didukung (csv atau xlsx)")])
    if not data:
        raise RosterImportError([(0, "berkas kosong (0 byte): tidak ada baris personel")])


def _refuse_non_csv(data: bytes) -> None:
    """A file given as CSV that is binary (XLSX, PDF, an image…) or UTF-16 text."""
    kind = binary_kind(data)
    if kind and data.startswith(b"PK"):
        raise RosterImportError([(0, f"berkas ini {kind}, bukan CSV; untuk berkas XLSX pilih format xlsx")])
    if kind:
        raise RosterImportError([(0, f"berkas ini {kind}, bukan daftar personel CSV atau XLSX")])
    if is_utf16(data):
        raise RosterImportError([(0, "berkas ini teks UTF-16; simpan ulang sebagai CSV UTF-8")])


def read_dataset(*, data: bytes, file_format: str) -> tablib.Dataset:
    """The roster file as a dataset; a file that is not a roster of that format, or any line the
    csv module refuses or holding a NUL character, is a RosterImportError naming it."""
    _refuse_unsupported(data, file_format)
    if file_format == "xlsx":
        return _xlsx_dataset(data)
    _refuse_non_csv(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterImportError([(line, "berkas CSV bukan UTF-8")]) from exc
    return _csv_dataset(text)


def _xlsx_dataset(data: bytes) -> tablib.Dataset:
    if not data.startswith(b"PK"):
        kind = binary_kind(data)
        what = f"berkas ini {kind}" if kind else "bukan berkas XLSX"
        raise RosterImportError([(0, f"{what}; simpan sebagai XLSX, atau pilih format csv untuk berkas CSV")])
    try:
        return tablib.Dataset().load(data, format="xlsx")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise RosterImportError([(0, f"berkas XLSX tidak dapat dibaca: {exc}")]) from exc


def _csv_dataset(text: str) -> tablib.Dataset:
    """What tablib's CSV reader builds (first line the header, empty lines skipped, short lines
    padded), with every unreadable line named instead of one error for the whole file."""
    damaged = nul_lines(text)
    problems = [(line, "berisi karakter NUL (byte 0): berkas rusak atau bukan teks") for line in damaged]
    dataset = tablib.Dataset()
    width = 0
    for line, row, problem in csv_records(text):
        if problem:
            problems.append((line, problem))
        elif line in damaged or not row:
            continue
        elif not width:
            dataset.headers, width = row, len(row)
        elif len(row) > width:
            problems.append((line, f"{len(row)} kolom, lebih banyak dari judulnya ({width} kolom)"))
        else:
            dataset.append(row + [""] * (width - len(row)))
    if problems:
        raise RosterImportError(sorted(problems))
    return dataset


@dataclass(frozen=True)
class _Outcome:
    kinds: list[str]
    instances: list[Officer | None]


class _DryRun(Exception):
    """Raised inside the import's transaction so a preview writes nothing."""


def _roster_rows(
    dataset: tablib.Dataset, progress: Progress | None = None
) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Each readable line as an officers_upsert row (with its line number), and each cell the
    roster's widgets cannot read (pangkat, aktif) as a line problem. A column the file leaves out
    is a key left out: the stored value stays. ``progress`` hears every row read."""
    reader = _RowReader(dataset.headers or [])
    rows, problems = [], []
    total = dataset.height
    # Row by row: dataset.dict would build every row's dict first (a million rows, a million dicts).
    for index, values in enumerate(dataset):
        if progress is not None:
            progress(rows_read=index, errors=len(problems), total=total)
        line = index + 2
        row = reader.row(line, values, problems)
        if row is not None:
            rows.append((line, row))
    return rows, problems


class _RowReader:
    """A roster line's cells as an officers_upsert row, read by the roster's widgets."""

    def __init__(self, headers: list):
        self.columns = [(headers.index(column), key) for column, key in COLUMNS.items() if column in headers]
        self.names = {key: column for column, key in COLUMNS.items()}
        self.nrp, self.rank, self.active = NrpWidget(), RankWidget(), ActiveWidget()

    def row(self, line: int, values, problems: list[tuple[int, str]]) -> dict | None:
        """The row, or None with each cell it cannot read added to ``problems``."""
        row, bad = {}, False
        for position, key in self.columns:
            value = values[position] if position < len(values) else None
            try:
                if key == "nrp":
                    row[key] = self.nrp.clean(value)
                elif key == "rank":
                    row[key] = self.rank.clean(value)
                elif key == "is_active":
                    if value is not None and str(value).strip():
                        row[key] = self.active.clean(value)
                elif key == "home_desa_code":
                    row[key] = _text(value).strip() or None
                else:
                    row[key] = _text(value)
            except ValueError as exc:
                problems.append((line, f"{self.names[key]}: {exc}"))
                bad = True
        return None if bad else row


def _text(value) -> str:
    # A spreadsheet turns a phone number into a float (812345.0): written back as typed.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def _import_dataset(
    dataset: tablib.Dataset,
    *,
    dry_run: bool,
    user,
    source_name: str | None,
    progress: Progress | None = None,
    with_instances: bool = True,
) -> _Outcome:
    """Every line or none, through officers_upsert: the rows it refuses and the cells the roster
    cannot read are reported together, by line. ``with_instances``: the officers read back for
    the admin's result page (roster_import needs only the counts)."""
    _unescape_cells(dataset)
    problems = _structure_problems(dataset)
    if problems:
        raise RosterImportError(problems)
    numbered, problems = _roster_rows(dataset, progress)
    lines = [line for line, _ in numbered]
    kinds: list[str] = []
    if progress is not None:
        progress(rows_read=dataset.height, errors=len(problems), total=dataset.height, stage="save")
    try:
        with transaction.atomic():
            try:
                officers_upsert(
                    rows=[row for _, row in numbered],
                    by=user,
                    reason=import_change_reason("Impor personel", source_name),
                    outcomes=kinds,
                )
            except RowErrors as exc:
                problems += [
                    (lines[index], f"{_ERROR_COLUMNS.get(field, field)}: {' '.join(messages)}")
                    for index, fields_ in exc.rows.items()
                    for field, messages in fields_.items()
                ]
            if problems:
                raise RosterImportError(sorted(problems))
            by_nrp = (
                Officer.objects.in_bulk([row["nrp"] for _, row in numbered], field_name="nrp")
                if with_instances and not dry_run
                else {}
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return _Outcome(
        kinds=kinds, instances=[None if dry_run else by_nrp.get(row["nrp"]) for _, row in numbered]
    )


# Rows checked and written at a time by roster_import: its memory is one batch's (and a key per
# NRP for the duplicate check), while the whole file stays one transaction.
CHUNK_ROWS = 10_000

_NUL = "berisi karakter NUL (byte 0): berkas rusak atau bukan teks"


def roster_import(
    *,
    data: bytes,
    file_format: str,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    source_name: str = "",
    progress: Progress | None = None,
    chunk_rows: int | None = None,
) -> RosterImportReport:
    """Import officers, matched by NRP (updated, never doubled): every row or none, through the
    bulk API's service (officers_upsert). Each officer created or changed gets a history row
    naming ``user`` and the file (``source_name``). ``progress`` hears the rows read and the
    rows refused so far, then that the last rows are being saved (jobs.progress).

    The file is read as a stream and written ``chunk_rows`` rows (CHUNK_ROWS) at a time inside one
    transaction: a bad row in any batch and nothing is stored, and the report names every bad line
    of the whole file (cells it cannot read, duplicate NRPs, the upsert's refusals)."""
    records, estimate = _file_records(data, file_format)
    chunk_rows = chunk_rows or CHUNK_ROWS
    reason = import_change_reason("Impor personel", source_name)
    problems: list[tuple[int, str]] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    batch: list[tuple[int, dict]] = []

    def write() -> None:
        try:
            outcome = officers_upsert(rows=[row for _, row in batch], by=user, reason=reason)
        except RowErrors as exc:
            problems.extend(
                (batch[index][0], f"{_ERROR_COLUMNS.get(field, field)}: {' '.join(messages)}")
                for index, fields_ in exc.rows.items()
                for field, messages in fields_.items()
            )
        else:
            for key in counts:
                counts[key] += outcome[key]
        batch.clear()

    reader, width, rows_read, nrp_at, nrp_widget = None, 0, 0, 0, NrpWidget()
    nrps = _NrpRegister()
    in_batch: set[str] = set()
    try:
        with transaction.atomic():
            for line, cells, problem in records:
                if problem:
                    problems.append((line, problem))
                    continue
                if reader is None:
                    missing = [c for c in ("NRP", "Nama", "Pangkat", "Satuan") if c not in cells]
                    reader, width = _RowReader(cells), len(cells)
                    nrp_at = 0 if missing else cells.index("NRP")
                    continue
                if missing:
                    raise RosterImportError([(1, f"kolom wajib tidak ada: {', '.join(missing)}")])
                rows_read += 1
                if progress is not None:
                    progress(rows_read=rows_read, errors=len(problems), total=max(estimate, rows_read))
                if len(cells) > width:
                    problems.append((line, f"{len(cells)} kolom, lebih banyak dari judulnya ({width} kolom)"))
                    continue
                cells = [unescape(value) for value in cells]
                row = reader.row(line, cells, problems)
                nrp = (
                    row["nrp"]
                    if row is not None
                    else nrp_widget.clean(cells[nrp_at] if nrp_at < len(cells) else None)
                )
                nrps.add(nrp, line)
                if row is None or nrp in in_batch:
                    continue  # a duplicate is reported by the register at the end
                in_batch.add(nrp)
                batch.append((line, row))
                if len(batch) >= chunk_rows:
                    write()
                    in_batch.clear()
            problems.extend(nrps.duplicates())
            if not rows_read:
                raise RosterImportError(sorted(problems) or [(0, "berkas kosong: tidak ada baris personel")])
            if progress is not None:
                progress(rows_read=rows_read, errors=len(problems), total=rows_read, stage="save")
            if batch:
                write()
            if problems:
                raise RosterImportError(sorted(problems))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return RosterImportReport(
        new=counts["created"], updated=counts["updated"], unchanged=counts["unchanged"], dry_run=dry_run
    )


class _NrpRegister:
    """The NRP of every line read, to name each duplicate with the line it first appeared on.

    A million NRPs as Python strings in a dict would be over 100 MB, kept to the end of the
    import; an 8-digit NRP is held here as a number in an array (16 bytes with its line), and the
    duplicates are found once, at the end. A duplicate across batches is written meanwhile (as a
    change of the officer the earlier batch created) and rolled back with the rest."""

    def __init__(self):
        self.numbers, self.lines = array("q"), array("q")
        self.others: dict[str, int] = {}  # an NRP that is not 8 digits (refused anyway)
        self.repeated: list[tuple[int, str]] = []

    def add(self, nrp: str, line: int) -> None:
        if len(nrp) == 8 and nrp.isascii() and nrp.isdigit():
            self.numbers.append(int(nrp))
            self.lines.append(line)
        elif nrp in self.others:
            self.repeated.append((line, f"NRP {nrp} ganda (sudah ada di baris {self.others[nrp]})"))
        else:
            self.others[nrp] = line

    def duplicates(self) -> list[tuple[int, str]]:
        ordered = sorted(self.numbers)
        twice = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}
        del ordered
        problems = list(self.repeated)
        if not twice:
            return problems
        first: dict[int, int] = {}
        for number, line in zip(self.numbers, self.lines, strict=True):
            if number not in twice:
                continue
            if number in first:
                problems.append((line, f"NRP {number:08d} ganda (sudah ada di baris {first[number]})"))
            else:
                first[number] = line
        return problems


def _file_records(data: bytes, file_format: str) -> tuple[Iterator[tuple[int, list | None, str | None]], int]:
    """The roster's records as read_dataset reads them, but streamed: (line, cells, None), or
    (line, None, problem) for a line it cannot read; the first record is the header. Beside them,
    about how many rows follow the header (for the progress bar). A file that is not a roster of
    that format is a RosterImportError at once, as in read_dataset."""
    _refuse_unsupported(data, file_format)
    if file_format == "xlsx":
        return _xlsx_records(data)
    _refuse_non_csv(data)
    damaged: set[int] = set()
    if not data.isascii():
        # Decoded whole only when it is not plain ASCII, to name the line of a bad byte.
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise RosterImportError([(line, "berkas CSV bukan UTF-8")]) from exc
        del text
    if b"\x00" in data:
        damaged = nul_lines(data.decode("utf-8-sig"))
    return _csv_records(data, damaged), data.count(b"\n") - 1


def _csv_records(data: bytes, damaged: set[int]) -> Iterator[tuple[int, list | None, str | None]]:
    for line in sorted(damaged):
        yield line, None, _NUL
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    for line, row, problem in csv_records(stream):
        if problem:
            yield line, None, problem
        elif row and line not in damaged:
            yield line, row, None


def _xlsx_records(data: bytes) -> tuple[Iterator[tuple[int, list | None, str | None]], int]:
    if not data.startswith(b"PK"):
        kind = binary_kind(data)
        what = f"berkas ini {kind}" if kind else "bukan berkas XLSX"
        raise RosterImportError([(0, f"{what}; simpan sebagai XLSX, atau pilih format csv untuk berkas CSV")])
    try:
        # Read-only: the rows come from the file as they are read, not a sheet held whole.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.active
        estimate = (sheet.max_row or 1) - 1
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise RosterImportError([(0, f"berkas XLSX tidak dapat dibaca: {exc}")]) from exc

    def records():
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, list(values), None
        except RosterImportError:
            raise
        except Exception as exc:
            raise RosterImportError([(0, f"berkas XLSX tidak dapat dibaca: {exc}")]) from exc
        finally:
            book.close()

    return records(), estimate


def _unescape_cells(dataset: tablib.Dataset) -> None:
    """A roster we exported reads back with the names it had (`'=...` was written for `=...`)."""
    for index, row in enumerate(list(dataset)):
        dataset[index] = [unescape(value) for value in row]


def _structure_problems(dataset: tablib.Dataset) -> list[tuple[int, str]]:
    if not dataset.height:
        return [(0, "berkas kosong: tidak ada baris personel")]
    missing = [c for c in ("NRP", "Nama", "Pangkat", "Satuan") if c not in (dataset.headers or [])]
    if missing:
        return [(1, f"kolom wajib tidak ada: {', '.join(missing)}")]
    return _duplicate_nrps(dataset)


def _duplicate_nrps(dataset: tablib.Dataset) -> list[tuple[int, str]]:
    widget, seen, problems = NrpWidget(), {}, []
    for index, value in enumerate(dataset["NRP"], start=2):
        nrp = widget.clean(value)
        if nrp in seen:
            problems.append((index, f"NRP {nrp} ganda (sudah ada di baris {seen[nrp]})"))
        else:
            seen[nrp] = index
    return problems


def roster_export(*, file_format: str, queryset=None) -> bytes:
    dataset = OfficerResource().export(queryset)
    return dataset.export(file_format) if file_format == "xlsx" else dataset.export("csv").encode("utf-8")

"""Personnel rosters in and out (CSV/XLSX): one resource for the admin, the command and exports."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from operations.models import Officer, Position, Unit
from operations.positions import match_position
from operations.ranks import Pangkat, normalise_rank
from operations.services.officers import officer_save
from pilkades.import_files import binary_kind, csv_records, import_change_reason, is_utf16, nul_lines
from pilkades.spreadsheets import safe_cell, unescape

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


class OfficerResource(resources.ModelResource):
    nrp = fields.Field(attribute="nrp", column_name="NRP", widget=NrpWidget())
    name = fields.Field(attribute="name", column_name="Nama")
    rank = fields.Field(attribute="rank", column_name="Pangkat", widget=RankWidget())
    position = fields.Field(attribute="position", column_name="Jabatan")
    unit = fields.Field(attribute="unit", column_name="Satuan", widget=UnitWidget(Unit, field="name"))

    class Meta:
        model = Officer
        fields = ("nrp", "name", "rank", "position", "unit")
        import_id_fields = ("nrp",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def export_field(self, field, instance, **kwargs):
        # Here, for every format the admin offers and for roster_export: a name is never a formula.
        return safe_cell(super().export_field(field, instance, **kwargs))

    def before_import(self, dataset, **kwargs):
        _unescape_cells(dataset)
        # Here, not only in roster_import, so the admin's import (with its dry-run preview) refuses
        # the same files as the command does.
        problems = _structure_problems(dataset)
        if problems:
            raise RosterImportError(problems)
        super().before_import(dataset, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        # The admin and roster_import pass the acting user and the file's name: every officer the
        # import creates or changes gets them in his history (unchanged rows are skipped, no row).
        instance._change_reason = import_change_reason("Impor personel", kwargs.get("file_name"))
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]
        # The catalogue position the roster's spelling means ("KAPOLSEK CARENANG": Kapolsek).
        instance.jabatan_id = match_position(instance.position, self._position_catalogue())
        super().before_save_instance(instance, row, **kwargs)

    def _position_catalogue(self) -> list[tuple[int, str, list[str]]]:
        if not hasattr(self, "_positions"):
            self._positions = [(p.pk, p.name, p.spelling_list()) for p in Position.objects.all()]
        return self._positions

    def do_instance_save(self, instance, is_create):
        # Through the service: a unit change that would break a posting is refused (a row error
        # naming the posting), an allowed one is copied into the postings.
        officer_save(officer=instance)

    def get_export_queryset(self, request=None):
        return Officer.objects.select_related("unit").order_by("unit__name", "-rank", "nrp")


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


def read_dataset(*, data: bytes, file_format: str) -> tablib.Dataset:
    """The roster file as a dataset; a file that is not a roster of that format, or any line the
    csv module refuses or holding a NUL character, is a RosterImportError naming it."""
    if file_format not in ROSTER_FORMATS:
        raise RosterImportError([(0, f"format '{file_format}' tidak didukung (csv atau xlsx)")])
    if not data:
        raise RosterImportError([(0, "berkas kosong (0 byte): tidak ada baris personel")])
    if file_format == "xlsx":
        return _xlsx_dataset(data)
    kind = binary_kind(data)
    if kind and data.startswith(b"PK"):
        raise RosterImportError([(0, f"berkas ini {kind}, bukan CSV; untuk berkas XLSX pilih format xlsx")])
    if kind:
        raise RosterImportError([(0, f"berkas ini {kind}, bukan daftar personel CSV atau XLSX")])
    if is_utf16(data):
        raise RosterImportError([(0, "berkas ini teks UTF-16; simpan ulang sebagai CSV UTF-8")])
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


def roster_import(
    *,
    data: bytes,
    file_format: str,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    source_name: str = "",
) -> RosterImportReport:
    """Import officers, matched by NRP (updated, never doubled): every row or none. Each officer
    created or changed gets a history row naming ``user`` and the file (``source_name``)."""
    dataset = read_dataset(data=data, file_format=file_format)
    result = OfficerResource().import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
        file_name=source_name,
    )
    problems = [
        (invalid.number + 1, f"{field}: {' '.join(messages)}")
        for invalid in result.invalid_rows
        for field, messages in invalid.error_dict.items()
    ]
    problems += [(number + 1, str(error.error)) for number, errors in result.row_errors() for error in errors]
    for error in result.base_errors:
        if isinstance(error.error, RosterImportError):
            problems += error.error.line_errors
        else:
            problems.append((0, str(error.error)))
    if problems:
        raise RosterImportError(sorted(problems))
    return RosterImportReport(
        new=result.totals["new"],
        updated=result.totals["update"],
        unchanged=result.totals["skip"],
        dry_run=dry_run,
    )


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

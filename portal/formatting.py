"""How a figure becomes text: one helper per kind of value.

Pages (through the ``figures`` template filters), PDFs, e-mails and the API all print a figure
through these, so the same value reads the same everywhere. Rounding happens here, once, half
up; ``None`` means "no data" and stays ``None`` so each place can say so in its own words.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.utils import translation

Number = Decimal | float | int

MINUS = "\u2212"  # a real minus sign, as wide as the plus


def locale() -> str:
    """The active language as a Babel locale (``en-us`` -> ``en_US``)."""
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


def rounded(value: Number, places: int = 0) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (Python's round() rounds half to even)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Number | None, places: int = 0, *, trim: bool = False) -> str | None:
    """1234.5 -> "1,235"; with places=1, "1,234.5"; ``trim`` drops trailing zeros ("12.50" -> "12.5")."""
    if value is None:
        return None
    exact = rounded(value, places)
    if trim:
        exact = exact.normalize() if exact != exact.to_integral() else exact.quantize(Decimal(1))
        places = max(0, -exact.as_tuple().exponent)  # type: ignore[operator]
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(exact, format=pattern, locale=locale(), decimal_quantization=False)


def percent(value: Number | None, places: int = 0) -> str | None:
    """A percentage already on 0..100: 42.4 -> "42%"."""
    text = number(value, places)
    return None if text is None else f"{text}%"


def rate(value: Number | None, places: int = 0) -> str | None:
    """A share on 0..1 as a percentage: 0.985 -> "99%" (places=1: "98.5%")."""
    return None if value is None else percent(Decimal(str(value)) * 100, places)


def signed(value: Number | None, places: int = 0, suffix: str = "") -> str | None:
    """A figure that can fall below zero, always with its sign: NPS +33, minus 12, 0."""
    if value is None:
        return None
    exact = rounded(value, places)
    text = number(abs(exact), places) or "0"
    if exact > 0:
        return f"+{text}{suffix}"
    if exact < 0:
        return f"{MINUS}{text}{suffix}"
    return f"{text}{suffix}"


def money(amount: Number | None, places: int = 0, currency: str | None = None) -> str | None:
    """An amount with its currency (settings.CURRENCY unless named): "€198,000", "€166.67"."""
    if amount is None:
        return None
    code = currency or settings.CURRENCY
    exact = rounded(amount, places)
    pattern = "¤#,##0" + ("." + "0" * places if places else "")
    return format_currency(
        exact,
        code,
        format=pattern,
        locale=locale(),
        currency_digits=False,
        decimal_quantization=False,
    )

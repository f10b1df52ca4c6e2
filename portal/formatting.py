"""How a figure becomes text: one helper per kind of value.

Pages (through the ``figures`` template filters), PDFs, e-mails and the API all print a figure
through these, so the same value reads the same everywhere. Rounding happens here, once, half
up; ``None`` means "no data" and stays ``None`` so each place can say so in its own words.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    get_currency_symbol,
    list_currencies,
)
from django.conf import settings
from django.utils import timezone, translation

Number = Decimal | float | int

MINUS = "\u2212"  # a real minus sign, as wide as the plus


def locale() -> str:
    """The active language as a Babel locale (``en-us`` -> ``en_US``)."""
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


def rounded(value: Number, places: int = 0) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (Python's round() rounds half to even)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(part: Number, whole: Number) -> Decimal | None:
    """``part`` as a percentage (0..100) of ``whole``, unrounded; None (no data) when ``whole``
    is zero. The one way a count becomes a share; print it with ``percent``."""
    if not whole:
        return None
    return Decimal(str(part)) * 100 / Decimal(str(whole))


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
    """An amount with its currency (settings.CURRENCY unless named), as the language writes
    it: "€198,000", "€166.67" in English; "198.000 €" in German."""
    if amount is None:
        return None
    code = currency or settings.CURRENCY
    exact = rounded(amount, places)
    language = locale()
    return format_currency(
        exact,
        code,
        format=_currency_pattern(language, places),
        locale=language,
        currency_digits=False,
        decimal_quantization=False,
    )


@functools.lru_cache(maxsize=64)
def _currency_pattern(language: str, places: int) -> NumberPattern:
    """The language's own pattern (CLDR: "€1,234.50" in English, "1.234,50 €" in German), with
    the decimals asked for; made once per language and decimals (a page prints many amounts)."""
    pattern = copy.copy(Locale.parse(language).currency_formats["standard"])
    pattern.frac_prec = (places, places)
    return pattern


# A measured quantity with its unit (a KPI's baseline, value, target) -------------------------


def currency_of(unit: str) -> str | None:
    """The currency a figure is counted in, when its unit names one ("EUR", "usd", "€")."""
    text = unit.strip()
    if text.upper() in list_currencies():
        return text.upper()
    if text and text == get_currency_symbol(settings.CURRENCY, locale=locale()):
        return str(settings.CURRENCY)
    return None


def places_of(value: Number) -> int:
    """The decimals a stored figure needs, at most two: 12.50 -> 1, 198000.00 -> 0."""
    exponent = rounded(value, 2).normalize().as_tuple().exponent
    return max(0, min(2, -int(exponent)))


def measure(value: Number | None, unit: str) -> str | None:
    """A figure with its unit: money with its currency ("€198,000", a baseline "€0"), "45%",
    "30 hours"; trailing zeros dropped ("12.5 hours", never "0.00")."""
    if value is None:
        return None
    currency = currency_of(unit)
    if currency is not None:
        return money(value, 2 if places_of(value) else 0, currency=currency)
    if unit.strip() == "%":
        return percent(value, places_of(value))
    text = number(value, 2, trim=True)
    return f"{text} {unit.strip()}".strip()


def measure_change(delta: Number, unit: str) -> str:
    """How far a figure moved, with its sign: "+€12,000", "minus 2.5" (the unit is beside the
    figures it moved between)."""
    currency = currency_of(unit)
    text = signed(delta, places_of(delta)) or "0"
    if currency is None:
        return text
    amount = money(abs(Decimal(str(delta))), 2 if places_of(delta) else 0, currency=currency) or ""
    return f"{text[0]}{amount}" if text[0] in ("+", MINUS) else amount


# Dates, with month and day names in the reader's language --------------------------------------

# Each kind of date: English keeps the portal's day-first pattern ("7 Sep 2026"); every other
# language writes it as CLDR's skeleton says ("7. Sept. 2026", "7 sept. 2026").
_DATE_KINDS = {
    "month": ("MMM y", "yMMM"),
    "month_short": ("MMM", "=LLL"),
    "month_name": ("MMMM", "=LLLL"),  # "=": a pattern (the skeleton would abbreviate it)
    "long_month": ("MMMM y", "yMMMM"),
    "day_month": ("d MMM", "dMMM"),
    "short": ("d MMM y", "yMMMd"),
    "long": ("d MMMM y", "yMMMMd"),
}


def _date_text(day: date | datetime | None, kind: str) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        # A moment reads as the day it is in the reader's zone; a date stays that date.
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    english, skeleton = _DATE_KINDS[kind]
    language = locale()
    if language.split("_")[0] == "en":
        return format_date(day, english, locale=language)
    if skeleton.startswith("="):
        return format_date(day, skeleton[1:], locale=language)
    return format_skeleton(skeleton, day, locale=language)


def month_label(day: date | datetime | None) -> str:
    """A month, short: "Mar 2026"; "März 2026", "mars 2026" (chart months)."""
    return _date_text(day, "month")


def month_short(day: date | datetime | None) -> str:
    """A month's name alone, short: "Jun"; "Juni", "juin" (a year's chart months)."""
    return _date_text(day, "month_short")


def month_name(day: date | datetime | None) -> str:
    """A month's name alone: "June"; "Juni", "juin"."""
    return _date_text(day, "month_name")


def long_month(day: date | datetime | None) -> str:
    """A month in full: "March 2026"; "März 2026", "mars 2026", "marzo de 2026"."""
    return _date_text(day, "long_month")


def day_month(day: date | datetime | None) -> str:
    """A day of the year, short: "10 Mar"; "10. März", "10 mars" (chart days)."""
    return _date_text(day, "day_month")


def short_date(day: date | datetime | None) -> str:
    """A day, short: "10 Mar 2026"; "10. März 2026", "10 mars 2026"."""
    return _date_text(day, "short")


def long_date(day: date | datetime | None) -> str:
    """A day in full: "10 March 2026"; "10. März 2026", "10 de marzo de 2026"."""
    return _date_text(day, "long")


def clock_time(moment: datetime | None) -> str:
    """A moment's time of day in the reader's zone: "14:30" (24 hours, as in every language
    the portal speaks)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return format_time(local, "HH:mm", locale=locale())

"""How a figure becomes text: one helper per kind of value.

Pages (through the ``figures`` template filters), PDFs, e-mails and the API all print a figure
through these, so the same value reads the same everywhere. Rounding happens here, once, half
up; ``None`` means "no data" and stays ``None`` so each place can say so in its own words.
"""

from __future__ import annotations

import copy
import functools
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, match_skeleton
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
    return _decimal(str(exact), places, locale())


# Babel's formatting costs more than the rest of a figure's way to the page, and pages print the
# same counts and amounts over and over: each text is made once per value, decimals and language.
# Keyed by the rounded value's text (Decimal("-0") == Decimal("0"), but they print differently).
@functools.lru_cache(maxsize=8192)
def _decimal(exact: str, places: int, language: str) -> str:
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(
        Decimal(exact), format=pattern, locale=language, decimal_quantization=False
    )


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
    return _money(str(rounded(amount, places)), places, currency or settings.CURRENCY, locale())


@functools.lru_cache(maxsize=8192)
def _money(exact: str, places: int, code: str, language: str) -> str:
    """As :func:`_decimal`, for amounts."""
    return format_currency(
        Decimal(exact),
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
    "long_day_month": ("d MMMM", "MMMMd"),
    "weekday_day": ("EEE d MMM", "MMMEd"),
    # "~": the weekday in full (CLDR's skeletons only abbreviate it)
    "long_weekday": ("EEEE d MMMM", "~MMMMEEEEd"),
    "long_weekday_date": ("EEEE d MMMM y", "~yMMMMEEEEd"),
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
    if skeleton.startswith("~"):
        return format_date(day, _full_weekday_pattern(language, skeleton[1:]), locale=language)
    return format_skeleton(skeleton, day, locale=language)


@functools.lru_cache(maxsize=32)
def _full_weekday_pattern(language: str, skeleton: str) -> str:
    """The language's pattern for ``skeleton`` with the weekday written out ("EEEE, d. MMMM")."""
    known = Locale.parse(language).datetime_skeletons
    pattern = str(known[match_skeleton(skeleton, known) or skeleton].pattern)
    return re.sub(r"E+", "EEEE", pattern)


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


def long_day_month(day: date | datetime | None) -> str:
    """A day of the year in full: "7 December"; "7. Dezember", "7 de diciembre"."""
    return _date_text(day, "long_day_month")


def weekday_day(day: date | datetime | None) -> str:
    """A day of the coming or past weeks: "Mon 7 Dec"; "Mo., 7. Dez.", "lun. 7 déc."."""
    return _date_text(day, "weekday_day")


def long_weekday(day: date | datetime | None) -> str:
    """A day with its weekday, in full: "Monday 7 December"; "Montag, 7. Dezember"."""
    return _date_text(day, "long_weekday")


def long_weekday_date(day: date | datetime | None) -> str:
    """A day with its weekday and year, in full: "Monday 7 December 2026";
    "Montag, 7. Dezember 2026", "lunes, 7 de diciembre de 2026"."""
    return _date_text(day, "long_weekday_date")


# Moments: a day and its time of day, in the reader's zone ----------------------------------------

# English keeps the portal's pattern; every other language joins its own date and time as CLDR
# says ("7. Dez. 2026, 09:30", "7 déc. 2026, 09:30").
_MOMENT_KINDS = {
    "short_datetime": ("d MMM y, HH:mm", "short", "Hm"),
    "day_month_time": ("d MMM, HH:mm", "day_month", "Hm"),
    "day_month_seconds": ("d MMM, HH:mm:ss", "day_month", "Hms"),
    "long_datetime": ("d MMMM y, HH:mm", "long", "Hm"),
}


def _moment_text(moment: datetime | None, kind: str) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    wall = local.replace(tzinfo=None)  # already the reader's clock: Babel must not move it
    english, day_kind, time_skeleton = _MOMENT_KINDS[kind]
    language = locale()
    if language.split("_")[0] == "en":
        return format_datetime(wall, english, locale=language)
    day = _date_text(wall, day_kind)
    time = format_skeleton(time_skeleton, wall, locale=language)
    joined = str(Locale.parse(language).datetime_formats["medium"])
    return joined.replace("{1}", day).replace("{0}", time)


def short_datetime(moment: datetime | None) -> str:
    """A moment: "7 Dec 2026, 09:30"; "7. Dez. 2026, 09:30", "7 déc. 2026, 09:30"."""
    return _moment_text(moment, "short_datetime")


def day_month_time(moment: datetime | None) -> str:
    """A moment of this year: "7 Dec, 09:30"; "7. Dez., 09:30"."""
    return _moment_text(moment, "day_month_time")


def day_month_seconds(moment: datetime | None) -> str:
    """A moment to the second (a delivery attempt): "7 Dec, 09:30:05"; "7. Dez., 09:30:05"."""
    return _moment_text(moment, "day_month_seconds")


def long_datetime_zone(moment: datetime | None) -> str:
    """A moment in full with the zone it is told in: "7 December 2026, 09:30 JST";
    "7. Dezember 2026, 09:30 JST"."""
    if moment is None:
        return ""
    text = _moment_text(moment, "long_datetime")
    zone = timezone.localtime(moment).tzname() if timezone.is_aware(moment) else None
    return f"{text} {zone}" if zone else text

"""``{% load figures %}``: the formatting helpers of ``portal.formatting`` as filters.

``{{ summary.nps.score|signed|default:"no data" }}``, ``{{ now.arr|money }}``,
``{{ progress.percent|percent }}``, ``{{ stickiness|rate }}``, ``{{ users|number }}``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django import template

from portal import formatting

register = template.Library()


def _places(arg: Any) -> int:
    return int(arg) if arg not in (None, "") else 0


@register.filter
def number(value: Any, places: Any = 0) -> str | None:
    return formatting.number(value, _places(places))


@register.filter
def decimal(value: Any, places: Any = 2) -> str | None:
    """Up to ``places`` decimals, trailing zeros dropped: a KPI's 12.50 reads 12.5."""
    return formatting.number(value, _places(places), trim=True)


@register.filter
def percent(value: Any, places: Any = 0) -> str | None:
    return formatting.percent(value, _places(places))


@register.filter
def rate(value: Any, places: Any = 0) -> str | None:
    return formatting.rate(value, _places(places))


@register.filter
def signed(value: Any, places: Any = 0) -> str | None:
    return formatting.signed(value, _places(places))


@register.filter
def money(value: Any, places: Any = 0) -> str | None:
    return formatting.money(value, _places(places))


@register.filter
def money_in(value: Any, currency: str) -> str | None:
    """An amount in its own currency (a contract's, an upsell lead's), whole units:
    ``{{ lead.amount_guess|money_in:lead.currency }}``."""
    return formatting.money(value, 0, currency or None)


@register.filter
def measure(value: Any, unit: str) -> str | None:
    """A KPI's figure with its unit, as the PDFs print it: ``{{ kpi.current|measure:kpi.unit }}``."""
    return formatting.measure(value, unit or "")


# Dates with month names in the reader's language (a moment as its day in the reader's zone).
# Anything but a date or a moment writes nothing, as Django's ``date`` filter does.


def _dated(write: Callable[[date], str], value: Any) -> str:
    return write(value) if isinstance(value, date) else ""


@register.filter
def month_label(value: Any) -> str:
    """ "Mar 2026"; "März 2026"."""
    return _dated(formatting.month_label, value)


@register.filter
def long_month(value: Any) -> str:
    """ "March 2026"; "März 2026"."""
    return _dated(formatting.long_month, value)


@register.filter
def day_month(value: Any) -> str:
    """ "10 Mar"; "10. März"."""
    return _dated(formatting.day_month, value)


@register.filter
def short_date(value: Any) -> str:
    """ "10 Mar 2026"; "10. März 2026"."""
    return _dated(formatting.short_date, value)


@register.filter
def long_date(value: Any) -> str:
    """ "10 March 2026"; "10. März 2026"."""
    return _dated(formatting.long_date, value)


@register.filter
def long_day_month(value: Any) -> str:
    """ "7 December"; "7. Dezember"."""
    return _dated(formatting.long_day_month, value)


@register.filter
def weekday_day(value: Any) -> str:
    """ "Mon 7 Dec"; "Mo., 7. Dez."."""
    return _dated(formatting.weekday_day, value)


@register.filter
def long_weekday(value: Any) -> str:
    """ "Monday 7 December"; "Montag, 7. Dezember"."""
    return _dated(formatting.long_weekday, value)


@register.filter
def long_weekday_date(value: Any) -> str:
    """ "Monday 7 December 2026"; "Montag, 7. Dezember 2026"."""
    return _dated(formatting.long_weekday_date, value)


# Moments with their time of day, in the reader's zone. Anything but a moment (a date has no
# time of day) writes nothing, as Django's ``date`` filter does with a time format.


def _timed(write: Callable[[datetime], str], value: Any) -> str:
    return write(value) if isinstance(value, datetime) else ""


@register.filter
def short_datetime(value: Any) -> str:
    """ "7 Dec 2026, 09:30"; "7. Dez. 2026, 09:30"."""
    return _timed(formatting.short_datetime, value)


@register.filter
def day_month_time(value: Any) -> str:
    """ "7 Dec, 09:30"; "7. Dez., 09:30"."""
    return _timed(formatting.day_month_time, value)


@register.filter
def day_month_seconds(value: Any) -> str:
    """ "7 Dec, 09:30:05"; "7. Dez., 09:30:05"."""
    return _timed(formatting.day_month_seconds, value)


@register.filter
def long_datetime_zone(value: Any) -> str:
    """ "7 December 2026, 09:30 JST"; "7. Dezember 2026, 09:30 JST"."""
    return _timed(formatting.long_datetime_zone, value)

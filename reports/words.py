"""A version's figures as language-neutral data, worded in each reader's language.

The figures (``reports.figures``) are gathered once, when a version is made, as plain JSON
in which every word a reader reads in their own language is a *token*: a number, a date or an
amount to format (:func:`formatted`), an English message and its values (:func:`text`,
:func:`plural`), a choice's code (:func:`choice`), a health part (:func:`part`), another app's
stored text (:func:`stored`: a health part's why). People's and the account's own words (an
objective's title, a name, a quote) are kept as they are.

:func:`worded` turns such data into the text a PDF prints, in the active language. A version
keeps the data it was made from (``Report.snapshot``), so a copy in another language words the
very same figures: nothing is gathered again from what the database says since. No lazy text
is ever kept, only message ids and values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.translation import gettext, ngettext

from insights.figures.health import PARTS
from portal import formatting
from portal.i18n import read_stored
from value.figures import printed as value_printed

# What a figure may be formatted with, by name: the same functions the pages use.
FORMATS: dict[str, Callable[..., Any]] = {
    "long_date": formatting.long_date,
    "number": formatting.number,
    "percent": formatting.percent,
    "rate": formatting.rate,
    "signed": formatting.signed,
    "measure": formatting.measure,
    "measure_change": formatting.measure_change,
    "month_name": formatting.month_name,
    "month_short": formatting.month_short,
    "day_month": formatting.day_month,
}

# The messages that count something, by code: each an ``ngettext`` for the catalogue.
PLURALS: dict[str, Callable[[int], str]] = {
    "actions": lambda n: ngettext("%(count)s action", "%(count)s actions", n),
    "actions_on_days": lambda n: ngettext(
        "%(actions)s on %(count)s day", "%(actions)s on %(count)s days", n
    ),
    "answers": lambda n: ngettext("from %(count)s answer", "from %(count)s answers", n),
    "days": lambda n: ngettext("%(count)s day", "%(count)s days", n),
}

# Sections worded whole by the app that owns them, by name (see :func:`section`).
SECTIONS: dict[str, Callable[[Any], Any]] = {"value": value_printed}


def _arg(value: Any) -> Any:
    """A formatting function's argument as JSON keeps it."""
    if isinstance(value, Decimal):
        return {"$D": str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("a moment is kept with its zone")
        return {"$m": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot keep {type(value).__name__} in a snapshot")


def _unarg(value: Any) -> Any:
    if isinstance(value, dict):
        if "$D" in value:
            return Decimal(value["$D"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$m" in value:
            return datetime.fromisoformat(value["$m"])
    return value


def formatted(name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``FORMATS[name](*args, **kwargs)``, called when worded."""
    if name not in FORMATS:
        raise KeyError(name)
    return {"$f": name, "a": [_arg(a) for a in args], "k": {k: _arg(v) for k, v in kwargs.items()}}


def day(value: date | datetime | None) -> dict[str, Any] | None:
    """A day as the PDFs write it ("30 September 2026"); None for no day. A moment is kept
    as one and told as the day it is in the reader's zone."""
    return None if value is None else formatted("long_date", value)


def text(message: str, /, **values: Any) -> dict[str, Any]:
    """An English message (marked with ``gettext_noop``) and its values, translated when
    worded; each value is data or a token in turn."""
    return {"$t": message, "v": values}


def plural(code: str, count: int, /, **values: Any) -> dict[str, Any]:
    """The :data:`PLURALS` message ``code`` for ``count``, with its values."""
    if code not in PLURALS:
        raise KeyError(code)
    return {"$n": code, "c": count, "v": values}


def choice(obj: Any, field_name: str) -> dict[str, Any]:
    """The label of ``obj``'s choice in ``field_name``: its code, labelled when worded."""
    meta = obj._meta
    return {
        "$c": f"{meta.app_label}.{meta.model_name}.{field_name}",
        "v": getattr(obj, field_name),
    }


def part(name: str) -> dict[str, Any]:
    """A health score's part ("Usage"), by its code."""
    return {"$p": name}


def stored(value: Any) -> Any:
    """A text another app keeps as a stored text (``portal.i18n.StoredText.as_json``, a health
    part's why), worded when read; a plain string (a text stored as written) as it is."""
    return {"$st": value} if isinstance(value, dict) else ("" if value is None else str(value))


def section(name: str, data: Any) -> dict[str, Any]:
    """``data`` worded by :data:`SECTIONS` ``[name]`` (registered by the app that owns it)."""
    return {"$s": name, "v": data}


def _choice_label(path: str, code: Any) -> str:
    app_label, model_name, field_name = path.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(code, code))


def worded(data: Any) -> Any:
    """``data`` with every token worded in the active language (data as it is: a version made
    before its figures were kept so reads as it was stored)."""
    if isinstance(data, list):
        return [worded(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$f" in data:
        args = [_unarg(a) for a in data["a"]]
        kwargs = {k: _unarg(v) for k, v in data["k"].items()}
        return FORMATS[data["$f"]](*args, **kwargs)
    if "$t" in data:
        values = worded(data["v"])
        message = gettext(data["$t"])
        try:
            return message % values if values else message
        except (KeyError, ValueError, TypeError):  # a translation that does not fit
            return data["$t"] % values if values else data["$t"]
    if "$n" in data:
        values = worded(data["v"])
        return PLURALS[data["$n"]](data["c"]) % values
    if "$c" in data:
        return _choice_label(data["$c"], data["v"])
    if "$p" in data:
        return str(PARTS.get(data["$p"], data["$p"]))
    if "$s" in data:
        return SECTIONS[data["$s"]](data["v"])
    if "$st" in data:
        return read_stored(data["$st"])
    return {key: worded(value) for key, value in data.items()}

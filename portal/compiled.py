"""Queries the layout runs on every request, compiled to SQL once per process.

Building a queryset and compiling it costs far more CPU than running it on an indexed table;
the layout's few queries have one shape each and differ only in the ids they name. The
queryset stays the one statement of what is asked (it is built with the models' own managers
and filters, with stand-in ids); its SQL is kept, and each call runs it with the real ids.

A shape that names a day (a query of "today") is kept with that ``day``: once a later day is
asked for, the entries of days more than :data:`DAYS_KEPT` before it are dropped, so that a
long-running process keeps a few days' entries, not one per day it has run (readers in
different time zones may be on different days at once: both are kept).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, MutableMapping
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import connections
from django.db.models import QuerySet

# Stand-in ids: negative, so that they are never a real row's, and unlike any other parameter.
_STANDIN = -7_300_000_000

_Converters = dict[int, tuple[list[Any], Any]]
_compiled: dict[
    tuple[str, Hashable], tuple[str, tuple[Any, ...], tuple[str | None, ...], _Converters]
] = {}

# Readers' "today" spans at most three dates across the world's time zones.
DAYS_KEPT = 2
K = TypeVar("K", bound=Hashable)
_days: dict[int, tuple[date, dict[Hashable, date]]] = {}


def keep(cache: MutableMapping[K, Any], key: K, day: date | None) -> None:
    """Note that ``cache[key]`` (just stored) is of ``day``; drop the entries of ``cache``
    whose day is more than :data:`DAYS_KEPT` before the newest day stored in it."""
    if day is None:
        return
    newest, of_key = _days.setdefault(id(cache), (day, {}))
    of_key[key] = day
    if day > newest:
        _days[id(cache)] = (day, of_key)
        oldest = day - timedelta(days=DAYS_KEPT)
        for old in [k for k, d in of_key.items() if d < oldest]:
            del of_key[old]
            cache.pop(old, None)  # type: ignore[arg-type]


def run(
    shape: Hashable,
    build: Callable[..., QuerySet[Any]],
    using: str = "default",
    *,
    day: date | None = None,
    **ids: int,
) -> list[tuple[Any, ...]]:
    """The rows of ``build(**ids)``, a queryset whose SQL depends on ``shape`` and ``ids`` only.

    ``build`` is called once per ``shape`` (and database) with stand-in ids; its SQL is kept,
    and every call runs it with ``ids`` in their places.
    """
    sql, values = statement(shape, build, using, day=day, **ids)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def statement(
    shape: Hashable,
    build: Callable[..., QuerySet[Any]],
    using: str = "default",
    *,
    day: date | None = None,
    **ids: int,
) -> tuple[str, list[Any]]:
    """The SQL of ``build(**ids)`` and its parameters, compiled once per ``shape`` as
        :func:`run` does: for a caller that runs it its own way (``Model.objects.raw``, which
        gives model instances with their fields' values converted). ``day``: the day the shape
    names, if any (see the module's docstring)."""
    key = (using, shape)
    entry = _compiled.get(key)
    if entry is None:
        standins = {name: _STANDIN - i for i, name in enumerate(sorted(ids))}
        names = {value: name for name, value in standins.items()}
        queryset = build(**standins)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        slots = tuple(
            names.get(p) if isinstance(p, int) and not isinstance(p, bool) else None for p in params
        )
        if set(slots) - {None} != set(ids):  # pragma: no cover - a build that drops an id
            raise ValueError(f"{shape!r}: the SQL does not name every id it is given.")
        entry = _compiled[key] = (sql, tuple(params), slots, compiler.get_converters(selected))
        keep(_compiled, key, day)
    sql, params, slots, _converters = entry
    values = [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]
    return sql, values


def converted(
    shape: Hashable,
    build: Callable[..., QuerySet[Any]],
    using: str = "default",
    *,
    day: date | None = None,
    **ids: int,
) -> list[tuple[Any, ...]]:
    """As :func:`run`, with each column converted as the ORM converts it (dates, money, the
    annotations' output fields), by the converters kept from the one compile."""
    rows = run(shape, build, using, day=day, **ids)
    converters = _compiled[(using, shape)][3]
    if not converters:
        return rows
    connection = connections[using]
    out = []
    for row in rows:
        cells = list(row)
        for at, (functions, expression) in converters.items():
            value = cells[at]
            for function in functions:
                value = function(value, expression, connection)
            cells[at] = value
        out.append(tuple(cells))
    return out

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

from collections.abc import Callable, Hashable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

# Stand-in ids: negative, so that they are never a real row's, and unlike any other parameter;
# a text parameter (a slug) stands in as a text no request sends.
_STANDIN = -7_300_000_000
_TEXT_STANDIN = ":compiled-standin:{}:"

_Converters = dict[int, tuple[list[Any], Any]]
_compiled: dict[
    tuple[str, Hashable], tuple[str, tuple[Any, ...], tuple[str | None, ...], _Converters]
] = {}

# Readers' "today" spans at most three dates across the world's time zones.
DAYS_KEPT = 2
K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=Model)
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
    **ids: int | str,
) -> list[tuple[Any, ...]]:
    """The rows of ``build(**ids)``, a queryset whose SQL depends on ``shape`` and ``ids`` only.

    ``build`` is called once per ``shape`` (and database) with stand-in ids; its SQL is kept,
    and every call runs it with ``ids`` in their places.
    """
    return _fetch((using, shape), build, ids, day)


def _fetch(
    key: tuple[str, Hashable],
    build: Callable[..., QuerySet[Any]],
    ids: Mapping[str, int | str],
    day: date | None = None,
) -> list[tuple[Any, ...]]:
    sql, values = _statement(key, build, ids, day)
    with connections[key[0]].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def statement(
    shape: Hashable,
    build: Callable[..., QuerySet[Any]],
    using: str = "default",
    *,
    day: date | None = None,
    **ids: int | str,
) -> tuple[str, list[Any]]:
    """The SQL of ``build(**ids)`` and its parameters, compiled once per ``shape`` as
        :func:`run` does: for a caller that runs it its own way (``Model.objects.raw``, which
        gives model instances with their fields' values converted). ``day``: the day the shape
    names, if any (see the module's docstring)."""
    return _statement((using, shape), build, ids, day)


def _statement(
    key: tuple[str, Hashable],
    build: Callable[..., QuerySet[Any]],
    ids: Mapping[str, int | str],
    day: date | None,
) -> tuple[str, list[Any]]:
    entry = _compiled.get(key)
    if entry is None:
        entry = _compile(key, build, ids)
        keep(_compiled, key, day)
    sql, params, slots, _converters = entry
    values = [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]
    return sql, values


def _standin(name: str, at: int, value: int | str) -> int | str:
    return _TEXT_STANDIN.format(name) if isinstance(value, str) else _STANDIN - at


def _compile(
    key: tuple[str, Hashable],
    build: Callable[..., QuerySet[Any]],
    ids: Mapping[str, int | str],
    *,
    instances: bool = False,
) -> tuple[str, tuple[Any, ...], tuple[str | None, ...], _Converters]:
    using, shape = key
    standins = {name: _standin(name, i, ids[name]) for i, name in enumerate(sorted(ids))}
    names = {value: name for name, value in standins.items()}
    queryset = build(**standins)
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    slots = tuple(
        names.get(p) if isinstance(p, int | str) and not isinstance(p, bool) else None
        for p in params
    )
    if set(slots) - {None} != set(ids):  # pragma: no cover - a build that drops an id
        raise ValueError(f"{shape!r}: the SQL does not name every id it is given.")
    entry = _compiled[key] = (sql, tuple(params), slots, compiler.get_converters(selected))
    if instances:
        _makers[key] = _maker(compiler, using)
    return entry


@dataclass(frozen=True)
class _Maker(Generic[M]):
    """How a compiled queryset's rows become its model instances (as Django's ModelIterable
    makes them): the model's columns, the select_related objects, the annotations."""

    model: type[M]
    start: int
    end: int
    attnames: list[str]
    related: list[Any]
    annotations: dict[str, int]


_makers: dict[tuple[str, Hashable], _Maker[Any]] = {}


def _maker(compiler: Any, using: str) -> _Maker[Any]:
    klass_info, select = compiler.klass_info, compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Maker(
        model=klass_info["model"],
        start=start,
        end=end,
        attnames=[column[0].target.attname for column in select[start:end]],
        related=get_related_populators(klass_info, select, using),
        annotations=dict(compiler.annotation_col_map),
    )


def objects(
    shape: Hashable,
    build: Callable[..., QuerySet[M]],
    ids: Mapping[str, int | str],
    using: str = "default",
) -> list[M]:
    """The model instances of ``build(**ids)``, as iterating the queryset gives them (with its
    ``select_related`` objects and its annotations), its SQL compiled once per ``shape``.

    For a query that every page runs, such as the account a page is of: compiling it costs
    more than running it and making its objects."""
    key = (using, shape)
    maker = _makers.get(key)
    if maker is None:
        _compile(key, build, ids, instances=True)
        maker = _makers[key]
    out: list[M] = []
    for row in _converted(key, _fetch(key, build, ids)):
        obj = maker.model.from_db(using, maker.attnames, row[maker.start : maker.end])
        for populator in maker.related:
            populator.populate(row, obj)
        for name, at in maker.annotations.items():
            setattr(obj, name, row[at])
        out.append(obj)
    return out


def converted(
    shape: Hashable,
    build: Callable[..., QuerySet[Any]],
    using: str = "default",
    *,
    day: date | None = None,
    **ids: int | str,
) -> list[tuple[Any, ...]]:
    """As :func:`run`, with each column converted as the ORM converts it (dates, money, the
    annotations' output fields), by the converters kept from the one compile."""
    return _converted((using, shape), run(shape, build, using, day=day, **ids))


def _converted(key: tuple[str, Hashable], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    converters = _compiled[key][3]
    if not converters:
        return rows
    connection = connections[key[0]]
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

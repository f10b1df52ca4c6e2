"""Queries the layout runs on every request, compiled to SQL once per process.

Building a queryset and compiling it costs far more CPU than running it on an indexed table;
the layout's few queries have one shape each and differ only in the ids they name. The
queryset stays the one statement of what is asked (it is built with the models' own managers
and filters, with stand-in ids); its SQL is kept, and each call runs it with the real ids.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-in ids: negative, so that they are never a real row's, and unlike any other parameter.
_STANDIN = -7_300_000_000

_compiled: dict[tuple[str, Hashable], tuple[str, tuple[Any, ...], tuple[str | None, ...]]] = {}


def run(
    shape: Hashable, build: Callable[..., QuerySet[Any]], using: str = "default", **ids: int
) -> list[tuple[Any, ...]]:
    """The rows of ``build(**ids)``, a queryset whose SQL depends on ``shape`` and ``ids`` only.

    ``build`` is called once per ``shape`` (and database) with stand-in ids; its SQL is kept,
    and every call runs it with ``ids`` in their places.
    """
    sql, values = statement(shape, build, using, **ids)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def statement(
    shape: Hashable, build: Callable[..., QuerySet[Any]], using: str = "default", **ids: int
) -> tuple[str, list[Any]]:
    """The SQL of ``build(**ids)`` and its parameters, compiled once per ``shape`` as
    :func:`run` does: for a caller that runs it its own way (``Model.objects.raw``, which
    gives model instances with their fields' values converted)."""
    key = (using, shape)
    entry = _compiled.get(key)
    if entry is None:
        standins = {name: _STANDIN - i for i, name in enumerate(sorted(ids))}
        names = {value: name for name, value in standins.items()}
        queryset = build(**standins)
        sql, params = queryset.query.get_compiler(using).as_sql()
        slots = tuple(
            names.get(p) if isinstance(p, int) and not isinstance(p, bool) else None for p in params
        )
        if set(slots) - {None} != set(ids):  # pragma: no cover - a build that drops an id
            raise ValueError(f"{shape!r}: the SQL does not name every id it is given.")
        entry = _compiled[key] = (sql, tuple(params), slots)
    sql, params, slots = entry
    values = [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]
    return sql, values

"""Figures computed once and kept in Django's cache until the day ends or an input changes.

A figure over thousands of accounts (the CS admin's book of business) is too slow to compute on
every request. :func:`cached_figure` keeps it under a key made of its name, the day, the
caller's parts (the SQL of the accounts it covers, a period) and one **version** number. Every
write to an input of a cached figure calls :func:`inputs_changed`, which bumps the version, so
the next request computes the figure again: a cached figure is never older than what it says
(its ``computed_at``, shown on the page as "as of HH:MM"), and no write made before that time
is missing from it.

The version is bumped at once (a request later in the same transaction, or a test, sees the
change) and again after the transaction commits: a request that read the version while the
write was not committed yet may store what it computed under the old number, never under the
new one, so nobody reads it once the write is visible.

Writes in bulk (the nightly health scores, an import) wrap their work in
:func:`changes_batched` so that thousands of rows cost one bump, not one each.

The version lives in the cache itself: several web and worker processes need a shared cache
(``CACHE_URL``, Redis) to see each other's bumps; with the process-local default each process
keeps its own figures, as the first look runs one process, for a minute at most
(:data:`PROCESS_LOCAL_TIMEOUT_SECONDS`). A version the cache has lost (an
eviction, a restart) starts again from the clock, never from a number used before.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

T = TypeVar("T")

VERSION_KEY = "figures:version"
# A day's figures are keyed on the day; this only lets the cache drop them the day after.
TIMEOUT_SECONDS = 26 * 60 * 60
# With a cache each process keeps for itself (no CACHE_URL), another process's writes cannot
# bump this process's version: its figures are kept this long at most, so several gunicorn
# workers without Redis are never more than a minute apart (setting FIGURE_CACHE_LOCAL_SECONDS).
PROCESS_LOCAL_TIMEOUT_SECONDS = 60


def _timeout() -> int:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    local = isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)
    if not local:
        return TIMEOUT_SECONDS
    return int(getattr(settings, "FIGURE_CACHE_LOCAL_SECONDS", PROCESS_LOCAL_TIMEOUT_SECONDS))


# Depth of changes_batched() blocks and whether a write happened inside them.
_batch_depth: ContextVar[int] = ContextVar("figure_cache_batch_depth", default=0)
_batch_changed: ContextVar[bool] = ContextVar("figure_cache_batch_changed", default=False)


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A figure and the time it was computed at (what "as of" shows)."""

    value: T
    computed_at: datetime


def _fresh_version() -> int:
    # Nanoseconds: larger than any number a lost version could have reached by increments.
    return time.time_ns()


def current_version() -> int:
    """The version of every cached figure's inputs."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version) if version is not None else _fresh_version()


def bump_version() -> None:
    """Make every cached figure stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the cache lost it: start from the clock
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)


def _bump_after_commit(using: str) -> None:
    """Bump again once the current transaction commits: once per transaction however many
    writes it makes."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is bump_version for entry in pending):
        return
    # Robust: the write is committed whatever the cache says (the error is logged).
    transaction.on_commit(bump_version, using=using, robust=True)


def inputs_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Call after a write to something a cached figure reads (contracts, health scores,
    accounts): the next request computes its figures again."""
    if _batch_depth.get():
        _batch_changed.set(True)
        return
    bump_version()
    _bump_after_commit(using)


@contextmanager
def changes_batched(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Writes inside cost one bump, made when the outermost block ends (and again after the
    commit), instead of one each. Blocks nest."""
    depth = _batch_depth.get()
    depth_token = _batch_depth.set(depth + 1)
    changed_token = _batch_changed.set(False) if depth == 0 else None
    try:
        yield
    finally:
        _batch_depth.reset(depth_token)
        if changed_token is not None:
            changed = _batch_changed.get()
            _batch_changed.reset(changed_token)
            if changed:
                inputs_changed(using)


def figure_key(name: str, parts: Iterable[object], day: Any, version: int) -> str:
    """The cache key of one figure: the parts are hashed (an SQL text can be long)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"figures:{version}:{name}:{day.isoformat()}:{digest[:32]}"


def cached_figure(name: str, parts: Iterable[object], compute: Callable[[], T]) -> Cached[T]:
    """The figure ``name`` for ``parts`` today, from the cache, or computed by ``compute`` and
    kept until the day ends or an input changes."""
    version = current_version()  # read before computing: see the module's docstring
    key = figure_key(name, parts, timezone.localdate(), version)
    hit = cache.get(key)
    if isinstance(hit, Cached):
        return hit
    fresh = Cached(value=compute(), computed_at=timezone.now())
    cache.set(key, fresh, timeout=_timeout())
    return fresh

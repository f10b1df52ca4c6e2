"""Raw usage events by month: PostgreSQL keeps :class:`insights.models.UsageEvent` in a table
partitioned by ``day`` (one partition a month, plus a DEFAULT partition that takes any day no
month partition covers, so an insert or a COPY never fails); other databases keep one plain
table and these functions do only what applies there.

- :func:`ensure_usage_partitions` creates the monthly partitions for a span of days (ingestion
  calls it for the months it writes; the nightly task for the coming months);
- :func:`drop_expired_usage` applies ``USAGE_EVENT_RETENTION_DAYS``: whole months older than
  the retention are detached and dropped on PostgreSQL, old rows deleted elsewhere. The daily
  roll-ups and the health history are kept.

The table was made partitioned by migration ``insights.0005_usage_events_by_month``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from ..models import UsageEvent

PARENT = UsageEvent._meta.db_table
DEFAULT_PARTITION = f"{PARENT}_default"
# How many months past the current one the nightly task creates.
MONTHS_AHEAD = 3
BOUND = re.compile(r"FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    start: date | None  # None: the DEFAULT partition
    end: date | None  # exclusive


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months(first_day: date, last_day: date) -> list[date]:
    """The first day of every month from ``first_day``'s to ``last_day``'s."""
    out, month = [], month_start(first_day)
    while month <= last_day:
        out.append(month)
        month = next_month(month)
    return out


def partition_name(month: date) -> str:
    return f"{PARENT}_p{month:%Y_%m}"


def _alias() -> str:
    return router.db_for_write(UsageEvent)


def is_partitioned(alias: str | None = None) -> bool:
    """Whether the usage events live in a partitioned table (PostgreSQL after 0005)."""
    connection = connections[alias or _alias()]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.oid = to_regclass(%s)",
            [PARENT],
        )
        return cursor.fetchone() is not None


def usage_partitions(alias: str | None = None) -> list[Partition]:
    """The partitions of the usage events table, months in order, the DEFAULT one last; empty
    where the table is not partitioned."""
    connection = connections[alias or _alias()]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [PARENT],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = BOUND.search(bound or "")
        if match:
            start, end = (date.fromisoformat(v) for v in match.groups())
            found.append(Partition(name, start, end))
        else:
            found.append(Partition(name, None, None))
    return sorted(found, key=lambda p: (p.start is None, p.start or date.min))


def ensure_usage_partitions(first_day: date, last_day: date, alias: str | None = None) -> int:
    """Create the monthly partitions covering ``first_day`` to ``last_day`` that are missing;
    how many were created. Rows of such a month already caught by the DEFAULT partition are
    moved into the new one. One catalogue query when they all exist; nothing off PostgreSQL."""
    alias = alias or _alias()
    connection = connections[alias]
    if connection.vendor != "postgresql" or last_day < first_day:
        return 0
    existing = usage_partitions(alias)
    if not existing:
        return 0  # not partitioned (before the migration)
    have = {p.start for p in existing if p.start is not None}
    has_default = any(p.start is None for p in existing)
    wanted = [m for m in months(first_day, last_day) if m not in have]
    quote = connection.ops.quote_name
    parent = quote(PARENT)
    made = 0
    for month in wanted:
        name, start, end = quote(partition_name(month)), month, next_month(month)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            # Partitions are only ever made by this function; two callers racing for the same
            # month queue on this lock, and the second finds it made.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [PARENT])
            cursor.execute("SELECT to_regclass(%s)", [partition_name(month)])
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                continue
            # Made apart and attached: ATTACH locks the parent against schema changes only,
            # where CREATE TABLE ... PARTITION OF would stop every read and write of it until
            # the transaction (maybe a whole push) ends.
            cursor.execute(
                f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            if has_default:
                # The DEFAULT partition may not keep rows of a month that has its own.
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {quote(DEFAULT_PARTITION)} "  # noqa: S608
                    "WHERE day >= %s AND day < %s RETURNING *) "
                    f"INSERT INTO {name} SELECT * FROM moved",
                    [start, end],
                )
            cursor.execute(
                f"ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
            made += 1
    return made


def ensure_coming_usage_partitions(today: date | None = None) -> int:
    """The nightly step: partitions for this month and the next :data:`MONTHS_AHEAD`."""
    today = today or timezone.localdate()
    last = month_start(today)
    for _ in range(MONTHS_AHEAD):
        last = next_month(last)
    return ensure_usage_partitions(month_start(today), last)


def retention_cutoff(today: date | None = None) -> date | None:
    """The first day of raw usage kept; None: ``USAGE_EVENT_RETENTION_DAYS`` is 0 (keep all)."""
    days = settings.USAGE_EVENT_RETENTION_DAYS
    if days <= 0:
        return None
    return (today or timezone.localdate()) - timedelta(days=days)


def drop_expired_usage(today: date | None = None) -> int:
    """Remove raw usage events older than the retention; the roll-ups stay. On PostgreSQL the
    months ending before the cutoff are detached and dropped whole (the month the cutoff falls
    in is kept until it has all expired) and old rows caught by the DEFAULT partition are
    deleted; elsewhere the old rows are deleted. Returns how many partitions were dropped, or
    rows deleted off PostgreSQL."""
    cutoff = retention_cutoff(today)
    if cutoff is None:
        return 0
    alias = _alias()
    connection = connections[alias]
    partitions = usage_partitions(alias)
    if not partitions:
        deleted, _ = UsageEvent.objects.using(alias).filter(day__lt=cutoff).delete()
        return deleted
    quote = connection.ops.quote_name
    dropped = 0
    for partition in partitions:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if partition.start is None:
                cursor.execute(
                    f"DELETE FROM {quote(partition.name)} WHERE day < %s",  # noqa: S608
                    [cutoff],
                )
            elif partition.end is not None and partition.end <= cutoff:
                cursor.execute(
                    f"ALTER TABLE {quote(PARENT)} DETACH PARTITION {quote(partition.name)}"
                )
                cursor.execute(f"DROP TABLE {quote(partition.name)}")
                dropped += 1
    return dropped

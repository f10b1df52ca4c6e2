"""The one bulk path for data in: the API, the CSV import, the demo and the benchmark all write
contracts, product users and usage through these upserts (the API and the import through
:func:`write_rows`, which also queues the usage roll-up).

Each call is all-or-nothing (one transaction) and idempotent: pushing the same rows again
changes nothing, pushing a row again with a new value replaces the old one. Rows are validated
by the caller (the API's serializers, the import's parser); these functions only write.

Rows are mappings named like the model fields, with ``account_id`` for the account::

    upsert_usage([{"account_id": 7, "user_key": "u-1", "day": date(2026, 1, 5),
                   "feature": "reports", "count": 3}])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any, TypeVar, cast

from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone

from accounts.models import Account
from portal.jobs import enqueue

from ..models import Contract, ProductUser, UsageEvent
from ..signals import contracts_written
from .partitions import ensure_usage_partitions

BATCH_SIZE = 2_000
M = TypeVar("M", bound=models.Model)

CONTRACT_FIELDS = [
    "product",
    "kind",
    "starts_on",
    "ends_on",
    "recurring_value",
    "value_period",
    "term_months",
    "one_off_fees",
    "currency",
]
USER_FIELDS = ["email", "name"]


@dataclass
class UsageWritten:
    """What :func:`upsert_usage` wrote: enough to roll up exactly the days it changed."""

    rows: int = 0
    account_ids: set[int] = field(default_factory=set)
    first_day: date | None = None
    last_day: date | None = None

    def days_to_roll_up(self, today: date) -> list[date]:
        """A usage row counts in the roll-ups of its day and the 29 days after (MAU), up to
        today."""
        if self.first_day is None or self.last_day is None:
            return []
        last = min(self.last_day + timedelta(days=29), today)
        return [self.first_day + timedelta(days=n) for n in range((last - self.first_day).days + 1)]


def _batches(items: Iterable[M], size: int) -> Iterator[list[M]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _bulk_upsert(
    model: type[M],
    objects: Iterable[M],
    *,
    unique_fields: list[str],
    update_fields: list[str],
    batch_size: int,
) -> None:
    for batch in _batches(objects, batch_size):
        model._default_manager.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )


def upsert_usage(
    rows: Iterable[Mapping[str, Any]], *, batch_size: int = BATCH_SIZE
) -> UsageWritten:
    """Insert or replace usage rows keyed by (account, day, user_key, feature); the count is
    replaced, never added. A key repeated within ``rows`` keeps its last count (PostgreSQL
    cannot update one row twice in one statement).

    On PostgreSQL (psycopg 3) the rows are copied into a temporary table and upserted from
    there in one statement, about twice as fast as ``bulk_create``; elsewhere they are
    upserted with ``bulk_create`` in batches of ``batch_size``. Either way it is one
    transaction (a savepoint inside the caller's)."""
    latest = {
        (row["account_id"], row["day"], row["user_key"], row["feature"]): row["count"]
        for row in rows
    }
    written = UsageWritten(rows=len(latest))
    if not latest:
        return written
    days = {key[1] for key in latest}
    written.account_ids = {key[0] for key in latest}
    written.first_day, written.last_day = min(days), max(days)
    alias = router.db_for_write(UsageEvent)
    # The months written get their partitions first (PostgreSQL; a catalogue look-up when
    # they exist), so that the rows do not land in the DEFAULT partition.
    ensure_usage_partitions(written.first_day, written.last_day, alias)
    with transaction.atomic(using=alias):
        _lock_accounts(alias, written.account_ids)
        if _can_copy(alias):
            _copy_upsert_usage(alias, latest)
        else:
            events = (
                UsageEvent(account_id=a, day=d, user_key=u, feature=f, count=c)
                for (a, d, u, f), c in latest.items()
            )
            _bulk_upsert(
                UsageEvent,
                events,
                unique_fields=["account", "day", "user_key", "feature"],
                update_fields=["count"],
                batch_size=batch_size,
            )
    return written


def _lock_accounts(alias: str, account_ids: set[int]) -> None:
    """What the foreign key UsageEvent.account would check, once per account rather than per
    row (it has no constraint in the database): every account exists, and none is deleted
    before the transaction ends (``FOR KEY SHARE`` on PostgreSQL, as the constraint's check
    takes). Raises IntegrityError naming a missing one."""
    connection = connections[alias]
    ids = sorted(account_ids)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE id = ANY(%s) FOR KEY SHARE",  # noqa: S608
                [ids],
            )
            found = {row[0] for row in cursor.fetchall()}
    else:
        found = set(Account.objects.using(alias).filter(pk__in=ids).values_list("pk", flat=True))
    missing = account_ids - found
    if missing:
        raise IntegrityError(f"usage for accounts that do not exist: {sorted(missing)[:10]}")


# The PostgreSQL fast path: COPY into a temporary table, then one INSERT ... ON CONFLICT.
USAGE_STAGING = "insights_usage_staging"
COPIED_FIELDS = ("account", "day", "user_key", "feature", "count")  # the key, then the count


def _can_copy(alias: str) -> bool:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _copy_upsert_usage(alias: str, latest: Mapping[tuple[Any, ...], int]) -> None:
    """Upsert ``latest`` ({(account_id, day, user_key, feature): count}, keys unique) into
    UsageEvent. Runs inside the caller's atomic block: the staging table is created and
    dropped in it, so an error leaves neither rows nor the table behind."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = UsageEvent._meta
    table = quote(meta.db_table)
    fields = [cast(models.Field, meta.get_field(name)) for name in COPIED_FIELDS]
    key = ", ".join(quote(f.column) for f in fields[:-1])
    count = quote(fields[-1].column)
    staging = quote(USAGE_STAGING)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} (account_id bigint NOT NULL, day date NOT NULL, "
            "user_key text NOT NULL, feature text NOT NULL, count bigint NOT NULL) "
            "ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            f"COPY {staging} (account_id, day, user_key, feature, count) FROM STDIN"
        ) as copy:
            copy.write(_copy_text(latest))
        # Only identifiers from the model's meta (quoted) go into the SQL; values are copied.
        cursor.execute(
            f"INSERT INTO {table} ({key}, {count}) "  # noqa: S608
            f"SELECT account_id, day, user_key, feature, count FROM {staging} "
            f"ON CONFLICT ({key}) DO UPDATE SET {count} = EXCLUDED.{count} "
            f"WHERE {table}.{count} IS DISTINCT FROM EXCLUDED.{count}"
        )
        # ON COMMIT DROP would keep it until the outermost commit: a second call in the same
        # transaction must find the name free.
        cursor.execute(f"DROP TABLE {staging}")


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(latest: Mapping[tuple[Any, ...], int]) -> str:
    """The rows in COPY's text format, built in one go: a ``write_row`` per row costs more
    than the database's work on it."""
    iso = {day: day.isoformat() for day in {key[1] for key in latest}}  # few days, many rows
    text = "".join(
        f"{account_id}\t{iso[day]}\t{user_key}\t{feature}\t{count}\n"
        for (account_id, day, user_key, feature), count in latest.items()
    )
    rows = len(latest)
    if (
        text.count("\t") == 4 * rows
        and text.count("\n") == rows
        and "\\" not in text
        and "\r" not in text
    ):
        return text  # no value holds a character COPY would read as syntax
    return "".join(
        f"{account_id}\t{iso[day]}\t{str(user_key).translate(COPY_ESCAPES)}\t"
        f"{str(feature).translate(COPY_ESCAPES)}\t{count}\n"
        for (account_id, day, user_key, feature), count in latest.items()
    )


def upsert_contracts(rows: Iterable[Mapping[str, Any]], *, batch_size: int = 1_000) -> int:
    """Insert or update contracts keyed by (account, external_id). Returns how many rows.

    ``bulk_create`` sends no ``post_save``: each batch sends
    :data:`insights.signals.contracts_written` instead, inside the transaction."""
    latest = {(row["account_id"], row["external_id"]): row for row in rows}
    written_at = timezone.now()
    with transaction.atomic():
        for batch in _batches((Contract(**row) for row in latest.values()), batch_size):
            Contract.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["account", "external_id"],
                update_fields=[*CONTRACT_FIELDS, "updated_at"],
            )
            contracts_written.send(
                sender=Contract,
                contract_ids=[c.pk for c in batch if c.pk is not None],
                written_at=written_at,
            )
    return len(latest)


def upsert_users(rows: Iterable[Mapping[str, Any]], *, batch_size: int = BATCH_SIZE) -> int:
    """Insert or update product users keyed by (account, external_id). Returns how many."""
    latest = {(row["account_id"], row["external_id"]): row for row in rows}
    users = (ProductUser(**row) for row in latest.values())
    with transaction.atomic():
        _bulk_upsert(
            ProductUser,
            users,
            unique_fields=["account", "external_id"],
            update_fields=USER_FIELDS,
            batch_size=batch_size,
        )
    return len(latest)


def write_rows(kind: str, rows: list[dict[str, Any]]) -> int:
    """Write rows checked by :func:`insights.api_schemas.resolve_rows` (``kind`` is usage,
    contracts or users), all or nothing; new usage is rolled up by a job after the transaction
    commits. Returns how many rows were written."""
    with transaction.atomic():
        if kind == "usage":
            written = upsert_usage(rows)
            days = written.days_to_roll_up(timezone.localdate())
            if days:
                enqueue(
                    "insights.roll_up_usage",
                    account_ids=sorted(written.account_ids),
                    days=[day.isoformat() for day in days],
                )
            return written.rows
        if kind == "contracts":
            return upsert_contracts(rows)
        return upsert_users(rows)

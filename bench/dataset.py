"""The insights data set at scale, written through the API's bulk path, and how fast it goes in.

Run ``python bench/dataset.py`` (with the project's venv). It makes :data:`ACCOUNTS` accounts
(owned by a few CSMs), then:

1. a contract for every account, and an expansion for every fifth, and :data:`USERS` product
   users spread over the accounts, written through :mod:`insights.services.ingest` as the API's
   bulk requests do (one ``transaction.atomic`` per request of at most ``insights.api.MAX_ROWS``
   rows);
2. :data:`ROWS` usage rows, a day at a time over :data:`DAYS` days, every key distinct, pushed
   through the API itself: ``POST /api/v1/usage`` with a JSON body and a key, through Django's
   request handler and every middleware (in this process, without a network in between), timed
   request by request from the body's bytes to the answer: usage rows per second is the figure
   (aim from the issue: at least :data:`AIM` on PostgreSQL). The roll-up job each request
   records is left unpublished: the roll-up is timed on its own below;
3. on PostgreSQL, after each request, the same rows COPYed raw (text format, one block) into an
   unindexed, unconstrained table: the rate at which this machine's PostgreSQL takes rows at
   all, the limit for the API; the JSON gives the API's rate as a ratio to it;
4. one request's rows pushed again with new counts (every row an update), and the roll-up of
   the last day for every account (what the nightly task does), both timed.

``--profile`` prints, after the pushes, the functions they spent most time in (cProfile).

Where it runs, so that it never touches other data:

- ``DATABASE_URL`` set to PostgreSQL: a scratch database (:data:`SCRATCH_DB`, on the same
  server) is created, migrated, used and dropped; the database the URL names is not opened.
- otherwise: the embedded SQLite default in a temporary ``PORTAL_VAR_DIR``, removed at the end.
  ``--rows`` defaults to :data:`SQLITE_ROWS` there (bulk_create into SQLite is slower); pass
  ``--rows 2000000`` for the full set.

Human-readable lines come first; the last line of stdout is one JSON object with every figure.
The exit status is 1 when the run failed (not when the aim is missed: that is in the JSON).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pages import bench_environment, say  # noqa: E402

ACCOUNTS = 1_000
USERS = 10_000
ROWS = 2_000_000
SQLITE_ROWS = 500_000
DAYS = 90
CSMS = 10
FEATURES = [
    "reports",
    "dashboards",
    "exports",
    "alerts",
    "api",
    "search",
    "sharing",
    "comments",
]
AIM = 250_000  # usage rows per second through the API on PostgreSQL (the issue)
SCRATCH_DB = "portal_dataset"
RAW_TABLE = "dataset_raw_copy"
SLUG_PREFIX = "dataset"


class DatasetError(Exception):
    """The run could not do its work."""


# --- Where it runs -------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def scratch_postgres(url: str, name: str = SCRATCH_DB) -> Iterator[str]:
    """A fresh, empty database ``name`` on the server ``url`` points at; dropped on the way out.
    Yields its URL. Only the server's ``postgres`` maintenance database is opened besides."""
    import psycopg

    if urlsplit(url).path.lstrip("/") == name:
        raise DatasetError(f"DATABASE_URL names {name}, the scratch database itself")
    maintenance = _with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    quoted = f'"{name}"'

    def admin(sql: str) -> None:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    admin(f"CREATE DATABASE {quoted}")
    try:
        yield _with_database(url, name)
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def setup_django() -> str:
    """Set Django up and migrate; the database vendor."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connection

    return str(connection.vendor)


# --- The data ------------------------------------------------------------------------------


def make_accounts(accounts: int) -> list[int]:
    """``accounts`` accounts, owned by CSMS CSMs in turn; their ids in order."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Segment, Stage, User, VendorRole

    today = timezone.localdate()
    with transaction.atomic():
        csms = [
            User(email=f"csm-{i:02d}@dataset.example", name=f"Dataset CSM {i:02d}")
            for i in range(CSMS)
        ]
        for csm in csms:
            csm.vendor_role = VendorRole.CSM
            csm.set_unusable_password()
        csms = User.objects.bulk_create(csms)
        created = Account.objects.bulk_create(
            Account(
                name=f"Dataset Account {i:04d}",
                slug=f"{SLUG_PREFIX}-{i:04d}",
                owner=csms[i % CSMS],
                segment=list(Segment)[i % len(Segment)],
                stage=list(Stage)[i % len(Stage)],
                renewal_date=today + timedelta(days=i % 400 - 30),
            )
            for i in range(accounts)
        )
    ids = [a.pk for a in created]
    if None in ids:  # bulk_create sets primary keys on PostgreSQL and SQLite
        ids = list(
            Account.objects.filter(slug__startswith=f"{SLUG_PREFIX}-")
            .order_by("slug")
            .values_list("pk", flat=True)
        )
    return ids


def contract_rows(account_ids: list[int], today: date) -> list[dict[str, Any]]:
    """A yearly contract per account, started within the last year; an expansion for every
    fifth account."""
    from insights.models import ContractKind

    rows = []
    for i, account_id in enumerate(account_ids):
        starts = today - timedelta(days=i % 360)
        rows.append(
            {
                "account_id": account_id,
                "external_id": f"C-{i:04d}-1",
                "product": "Northwind Analytics",
                "kind": ContractKind.NEW,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=365),
                "recurring_value": Decimal(12_000 + 1_200 * (i % 40)),
                "term_months": 12,
                "one_off_fees": Decimal(1_500),
            }
        )
        if i % 5 == 0:
            rows.append(
                {
                    "account_id": account_id,
                    "external_id": f"C-{i:04d}-2",
                    "product": "Northwind Analytics seats",
                    "kind": ContractKind.EXPANSION,
                    "starts_on": starts + timedelta(days=90),
                    "ends_on": starts + timedelta(days=365),
                    "recurring_value": Decimal(200),
                    "value_period": "month",
                    "term_months": 9,
                }
            )
    return rows


def user_key(n: int) -> str:
    return f"user-{n:05d}"


def user_rows(account_ids: list[int], users: int) -> list[dict[str, Any]]:
    """User ``n`` belongs to account ``n % len(account_ids)``."""
    return [
        {
            "account_id": account_ids[n % len(account_ids)],
            "external_id": user_key(n),
            "email": f"{user_key(n)}@dataset.example",
            "name": f"Dataset user {n}",
        }
        for n in range(users)
    ]


def usage_rows(
    account_ids: list[int], users: int, rows: int, days: int, today: date
) -> Iterator[dict[str, Any]]:
    """``rows`` usage rows with distinct keys, oldest day first: each (day, user) pair gets
    ``rows // pairs`` features, and a spread-out share of the pairs one more, so that the
    total is exact. Deterministic: the same arguments give the same rows."""
    pairs = users * days
    per_pair, extra = divmod(rows, pairs)
    if per_pair + (extra > 0) > len(FEATURES):
        raise DatasetError(
            f"{rows} rows need more than {len(FEATURES)} features per user and day: "
            f"raise --users or --days"
        )
    features = len(FEATURES)
    accounts = len(account_ids)
    p = 0
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        for n in range(users):
            # A multiplicative spread of the pairs that get one more feature.
            k = per_pair + ((p * 7_919) % pairs < extra)
            account_id = account_ids[n % accounts]
            key = user_key(n)
            for j in range(k):
                yield {
                    "account_id": account_id,
                    "user_key": key,
                    "day": day,
                    "feature": FEATURES[(n + offset + j) % features],
                    "count": 1 + (p + j) % 20,
                }
            p += 1


def chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def push(kind: str, rows: list[dict[str, Any]]) -> tuple[int, float]:
    """One bulk request's write, as the API does it (insights.services.ingest.write_rows, minus
    the roll-up job it enqueues): (rows written, seconds)."""
    from django.db import transaction

    from insights.services import ingest

    started = time.perf_counter()
    with transaction.atomic():
        if kind == "usage":
            written = ingest.upsert_usage(rows).rows
        elif kind == "contracts":
            written = ingest.upsert_contracts(rows)
        else:
            written = ingest.upsert_users(rows)
    return written, time.perf_counter() - started


class UsageApi:
    """``POST /api/v1/usage`` in this process, with a key of scope write_usage."""

    def __init__(self, account_ids: list[int]) -> None:
        from django.conf import settings
        from django.test import Client

        from accounts.models import Account, User, VendorRole
        from insights.models import ApiKey
        from insights.services.api_keys import issue_key
        from portal import jobs

        # The roll-up each push records stays unsent: run in this process (no broker), it
        # would be timed as part of the push.
        jobs.publish = lambda job_id: False
        settings.API_RATE_LIMIT = 1_000_000
        admin = User.objects.create(
            email="admin@dataset.example", name="Dataset admin", vendor_role=VendorRole.ADMIN
        )
        _, self.secret = issue_key(
            name="Dataset", scopes=[ApiKey.Scope.WRITE_USAGE], acting_user=admin
        )
        self.slugs = dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "slug"))
        self.client = Client(SERVER_NAME="127.0.0.1")
        self.profiler: cProfile.Profile | None = None

    def print_profile(self, lines: int = 20) -> None:
        """The functions the pushes spent most time in, themselves (psycopg's ``wait`` is
        the time waiting on PostgreSQL)."""
        if self.profiler is not None:
            out = io.StringIO()
            pstats.Stats(self.profiler, stream=out).sort_stats("tottime").print_stats(lines)
            say(out.getvalue())

    def body(self, rows: list[dict[str, Any]]) -> bytes:
        """The JSON an integration would send for ``rows`` (made before the clock starts)."""
        slugs = self.slugs
        return json.dumps(
            {
                "rows": [
                    {
                        "account": slugs[r["account_id"]],
                        "user": r["user_key"],
                        "day": r["day"].isoformat(),
                        "feature": r["feature"],
                        "count": r["count"],
                    }
                    for r in rows
                ]
            }
        ).encode()

    def push(self, body: bytes) -> tuple[int, float]:
        """One request: (rows written, seconds)."""
        if self.profiler is not None:
            self.profiler.enable()
        started = time.perf_counter()
        response = self.client.post(
            "/api/v1/usage",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.secret}",
        )
        seconds = time.perf_counter() - started
        if self.profiler is not None:
            self.profiler.disable()
        if response.status_code != 200:
            raise DatasetError(
                f"the API answered {response.status_code}: {response.content[:300]!r}"
            )
        return int(response.json()["rows"]), seconds


class RawCopy:
    """The same rows COPYed into a table with no index, key or constraint: the limit."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {RAW_TABLE} (account_id bigint, day date, user_key text, "
                "feature text, count bigint)"
            )

    def copy(self, rows: list[dict[str, Any]]) -> float:
        """Seconds to COPY ``rows`` (already as COPY's text, made before the clock starts)."""
        from django.db import transaction

        text = "".join(
            f"{r['account_id']}\t{r['day'].isoformat()}\t{r['user_key']}\t{r['feature']}\t"
            f"{r['count']}\n"
            for r in rows
        )
        started = time.perf_counter()
        with (
            transaction.atomic(),
            self.connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {RAW_TABLE} (account_id, day, user_key, feature, count) FROM STDIN"
            ) as copy,
        ):
            copy.write(text)
        return time.perf_counter() - started

    def drop(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {RAW_TABLE}")


def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


# --- The run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    vendor = setup_django()
    from django.utils import timezone

    from insights.api import MAX_ROWS
    from insights.models import Contract, ProductUser, UsageEvent
    from insights.services.usage import roll_up

    today = timezone.localdate()
    args.chunk = args.chunk or MAX_ROWS
    result: dict[str, Any] = {"database": vendor}

    started = time.perf_counter()
    account_ids = make_accounts(args.accounts)
    say(f"{len(account_ids)} accounts for {CSMS} CSMs in {time.perf_counter() - started:.1f} s")

    contracts = contract_rows(account_ids, today)
    written, seconds = 0, 0.0
    for chunk in chunks(iter(contracts), args.chunk):
        n, s = push("contracts", chunk)
        written, seconds = written + n, seconds + s
    say(f"{written} contracts in {seconds:.2f} s ({rate(written, seconds):,.0f} rows/s)")
    result["contracts"] = {"rows": written, "seconds": round(seconds, 2)}

    written, seconds = 0, 0.0
    for chunk in chunks(iter(user_rows(account_ids, args.users)), args.chunk):
        n, s = push("users", chunk)
        written, seconds = written + n, seconds + s
    say(f"{written} product users in {seconds:.2f} s ({rate(written, seconds):,.0f} rows/s)")
    result["users"] = {"rows": written, "seconds": round(seconds, 2)}

    say(
        f"{args.rows:,} usage rows over {args.days} days, in requests of {args.chunk:,} rows "
        f"(POST /api/v1/usage, one transaction each)"
        + (
            f", each followed by a raw COPY of its rows into {RAW_TABLE}:"
            if vendor == "postgresql"
            else ":"
        )
    )
    api = UsageApi(account_ids)
    if args.profile:
        api.profiler = cProfile.Profile()
    raw = RawCopy() if vendor == "postgresql" else None
    generate = usage_rows(account_ids, args.users, args.rows, args.days, today)
    written, seconds, copy_seconds, rates, first_chunk = 0, 0.0, 0.0, [], None
    wall = time.perf_counter()
    for i, chunk in enumerate(chunks(generate, args.chunk)):
        if first_chunk is None:
            first_chunk = chunk
        n, s = api.push(api.body(chunk))
        written, seconds = written + n, seconds + s
        rates.append(rate(n, s))
        if raw is not None:
            copy_seconds += raw.copy(chunk)
        if (i + 1) % args.report_every == 0:
            say(f"  {written:>10,} rows, {rate(written, seconds):,.0f} rows/s so far")
    wall = time.perf_counter() - wall
    usage_rps = rate(written, seconds)
    stored = UsageEvent.objects.count()
    if stored != args.rows or written != args.rows:
        raise DatasetError(f"{written} usage rows written and {stored} stored, not {args.rows}")
    say(
        f"Usage through the API: {written:,} rows in {seconds:.1f} s ({wall:.1f} s with "
        f"generating them{' and the raw COPY' if raw is not None else ''}): "
        f"{usage_rps:,.0f} rows/s"
    )
    copy_rps = ratio = None
    if raw is not None:
        raw.drop()
        copy_rps = rate(written, copy_seconds)
        ratio = usage_rps / copy_rps if copy_rps else None
        say(
            f"Raw COPY of the same rows into an unindexed table: {copy_seconds:.1f} s, "
            f"{copy_rps:,.0f} rows/s; the API at {ratio:.2f}x that"
        )

    api.print_profile()
    api.profiler = None

    # The same request again with new counts: every row an update.
    assert first_chunk is not None
    again = [row | {"count": row["count"] + 1} for row in first_chunk]
    updated, update_seconds = api.push(api.body(again))
    say(
        f"Pushed {updated:,} rows again with new counts in {update_seconds:.2f} s "
        f"({rate(updated, update_seconds):,.0f} rows/s)"
    )

    roll_up_seconds = None
    if not args.no_roll_up:
        started = time.perf_counter()
        rolled = roll_up(None, [today])
        roll_up_seconds = time.perf_counter() - started
        say(f"Rolled up {today} for {rolled} accounts in {roll_up_seconds:.1f} s")

    meets_aim = usage_rps >= AIM
    if vendor == "postgresql":
        say(
            f"Aim (from the issue): {AIM:,} usage rows/s on PostgreSQL: "
            f"{'met' if meets_aim else 'MISSED'}"
        )
    result.update(
        {
            "accounts": len(account_ids),
            "product_users": ProductUser.objects.count(),
            "contract_rows": Contract.objects.count(),
            "usage_rows": stored,
            "usage_days": args.days,
            "request_rows": args.chunk,
            "requests": len(rates),
            "usage_seconds": round(seconds, 2),
            "usage_seconds_with_generation": round(wall, 2),
            "usage_rows_per_second": round(usage_rps),
            "usage_path": "POST /api/v1/usage (in process)",
            "raw_copy_rows_per_second": round(copy_rps) if copy_rps is not None else None,
            "api_to_raw_copy_ratio": round(ratio, 3) if ratio is not None else None,
            "request_rows_per_second": {
                "min": round(min(rates)),
                "median": round(sorted(rates)[len(rates) // 2]),
                "max": round(max(rates)),
            },
            "update_rows_per_second": round(rate(updated, update_seconds)),
            "roll_up_one_day_seconds": (
                round(roll_up_seconds, 2) if roll_up_seconds is not None else None
            ),
            "aim_rows_per_second": AIM,
            "aim_applies": vendor == "postgresql",
            "meets_aim": meets_aim,
        }
    )
    return result


def parse_args(argv: list[str] | None, postgres: bool) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--users", type=int, default=USERS, help="product users")
    parser.add_argument(
        "--rows",
        type=int,
        default=ROWS if postgres else SQLITE_ROWS,
        help=f"usage rows (default {ROWS:,} on PostgreSQL, {SQLITE_ROWS:,} on SQLite)",
    )
    parser.add_argument("--days", type=int, default=DAYS, help="days of usage, to today")
    parser.add_argument(
        "--chunk",
        type=int,
        default=None,
        help="rows per bulk request (default: the most the API takes, insights.api.MAX_ROWS)",
    )
    parser.add_argument("--report-every", type=int, default=10, help="requests between lines")
    parser.add_argument("--no-roll-up", action="store_true", help="skip the timed roll-up")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print where the API's usage pushes spend their time (cProfile; slows them)",
    )
    args = parser.parse_args(argv)
    if min(args.accounts, args.users, args.rows, args.days, args.report_every) < 1 or (
        args.chunk is not None and args.chunk < 1
    ):
        parser.error("every count must be positive")
    if args.users < args.accounts:
        parser.error("at least one product user per account")
    return args


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the clean-up below still runs

    signal.signal(signal.SIGTERM, stop)
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = database_url.startswith(("postgres://", "postgresql://", "pgsql://"))
    if database_url and not postgres:
        say(f"DATABASE_URL is not PostgreSQL ({urlsplit(database_url).scheme}): using SQLite")
    var_dir = Path(tempfile.mkdtemp(prefix="portal-dataset-"))
    env = bench_environment(var_dir)  # clears DATABASE_URL and the other portal settings
    os.environ.clear()
    os.environ.update(env)
    args = parse_args(argv, postgres)
    result: dict[str, Any]
    try:
        if postgres:
            with scratch_postgres(database_url) as scratch_url:
                os.environ["DATABASE_URL"] = scratch_url
                say(f"Scratch database {SCRATCH_DB} (created now, dropped at the end)")
                result = run(args) | {"scratch_database": SCRATCH_DB}
        else:
            say(f"SQLite in the temporary var dir {var_dir}")
            result = run(args)
        result["ok"] = True
    except Exception as error:
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""The large data set on PostgreSQL: 10,000 accounts and a year of their life, for benchmarks.

One function does the work, :func:`build`; ``bench/scale.py`` and the nightly benchmark call it.
Django must be set up on the database to fill (PostgreSQL, migrated); :func:`open_database`
does that for a script: it creates the database when it is missing, points Django at it and
migrates it. Then::

    from bench import largedata
    largedata.open_database("postgres://postgres@127.0.0.1:5432/portal_large")
    sizes = largedata.build()            # the full size: minutes on a 2-core machine
    sizes = largedata.build(scale=0.01)  # every count a hundredth: seconds

What :func:`build` writes, at ``scale=1`` (each count is multiplied by ``scale``; the keyword
arguments set any of them):

- the demo data (``manage.py load_demo``): the same people, accounts and logins as
  ``bench/pages.py``, so the measured pages (acme, its champion dana, its CSM priya, the CS
  admin morgan) are the demo's; acme gets a year of health history besides its year of usage;
- ``csms`` CSMs in all (priya and tom of the demo among them) and ``accounts`` accounts shared
  out among them in turn, each with a champion, an executive and a member, its facts (seats,
  pulse), a contract (every fourth an expansion too) and ``activities_per_account`` timeline
  rows;
- ``product_users`` product users and ``usage_events`` usage events over the ``usage_days``
  days to today, both by COPY; when ``insights.services.partitions.ensure_usage_partitions``
  exists, it is called for those days first;
- a daily roll-up (``UsageDay``, and ``FeatureUsageDay`` for ``features_per_account``
  features) and health score (``HealthScore``) for every account and each of the ``history_days``
  days to today, written by ``INSERT ... SELECT`` (made up, not computed from the events: the
  pages read these tables, and computing them is the nightly benchmark's work);
- ``survey_responses`` NPS answers (each with its delivery) to one campaign, in waves;
- an onboarding checklist for ``checklists`` accounts (at most one per account: a checklist
  belongs to one account) with two phases and ``tasks_per_checklist`` tasks, and a success plan
  for ``success_plans`` accounts with objectives, KPIs, milestones and action items.

It is cache-aware: a table ``bench_largedata`` records what was built with which arguments.
Called again with the same arguments, :func:`build` returns the recorded sizes at once; with
other arguments, or on a database that holds part of a build, it refuses unless
``rebuild=True``, which empties the database (drops every table, migrates, starts again).

:func:`build` returns the sizes: the row count of each table written and the database size.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LARGE_DB = "portal_large"
MARKER_TABLE = "bench_largedata"
SLUG_PREFIX = "large"
EMAIL_DOMAIN = "large.example"
# The measured account and its people come from the demo data (load_demo).
MEASURED_ACCOUNT = "acme"

FULL_SIZE: dict[str, int] = {
    "accounts": 10_000,
    "csms": 300,
    "product_users": 500_000,
    "usage_events": 20_000_000,
    "usage_days": 365,
    "history_days": 365,
    "features_per_account": 4,
    "survey_responses": 200_000,
    "checklists": 30_000,  # capped at the number of accounts: one checklist per account
    "tasks_per_checklist": 10,
    "success_plans": 10_000,
    "activities_per_account": 10,
}
# What a scale factor may not shrink below: the days and per-account counts keep their shape.
UNSCALED = {"usage_days", "history_days", "features_per_account", "tasks_per_checklist"}
UNSCALED |= {"activities_per_account"}
FEATURES = ["reports", "dashboards", "exports", "alerts", "api", "search", "sharing", "comments"]
DEMO_CSMS = ("priya@northwind.example", "tom@northwind.example")
CS_ADMIN = "morgan@northwind.example"

Progress = Callable[[str], None]


class LargeDataError(Exception):
    """The database holds something else than what was asked for."""


def say(line: str) -> None:
    print(line, flush=True)


# --- The database --------------------------------------------------------------------------


def database_url(url: str, name: str = LARGE_DB) -> str:
    """``url`` (a PostgreSQL URL) naming the database ``name`` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url: str) -> bool:
    """Create the database ``url`` names when it is missing; True when it was created. Only
    the server's ``postgres`` maintenance database is opened besides."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = database_url(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def open_database(url: str, *, progress: Progress = say) -> None:
    """Set Django up on the database ``url`` (created when missing) and migrate it. For a
    script: Django must not be set up yet in this process."""
    from django.conf import settings

    if settings.configured:
        raise LargeDataError("Django is set up already: call build() on its database instead")
    if create_database(url):
        progress(f"Created the database {urlsplit(url).path.lstrip('/')}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())


def _empty_database() -> None:
    """Drop every table of the public schema and migrate again."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())


# --- Sizes ---------------------------------------------------------------------------------


def sizes_for(scale: float = 1.0, **overrides: int) -> dict[str, int]:
    """The counts :func:`build` writes at ``scale``, with ``overrides`` taken as they are."""
    unknown = set(overrides) - set(FULL_SIZE)
    if unknown:
        raise TypeError(f"unknown sizes: {', '.join(sorted(unknown))}")
    if scale <= 0:
        raise ValueError("scale must be positive")
    sizes = {
        name: count if name in UNSCALED else max(1, math.ceil(count * scale))
        for name, count in FULL_SIZE.items()
    }
    sizes["csms"] = max(sizes["csms"], len(DEMO_CSMS))
    sizes.update(overrides)
    sizes["checklists"] = min(sizes["checklists"], sizes["accounts"])
    sizes["success_plans"] = min(sizes["success_plans"], sizes["accounts"])
    return sizes


# The tables whose rows :func:`measure_sizes` counts, by model label.
COUNTED = [
    "accounts.Account",
    "accounts.User",
    "accounts.Membership",
    "accounts.Activity",
    "insights.Contract",
    "insights.ProductUser",
    "insights.UsageEvent",
    "insights.UsageDay",
    "insights.FeatureUsageDay",
    "insights.HealthScore",
    "surveys.Delivery",
    "surveys.Response",
    "onboarding.Checklist",
    "onboarding.Task",
    "successplans.SuccessPlan",
    "successplans.Objective",
    "successplans.KPI",
    "successplans.Milestone",
    "successplans.ActionItem",
]


def measure_sizes() -> dict[str, Any]:
    """Row counts of the tables the large data fills (exact), and the database's size."""
    from django.apps import apps
    from django.db import connection

    rows = {}
    with connection.cursor() as cursor:
        for label in COUNTED:
            table = apps.get_model(label)._meta.db_table
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a model's table
            rows[label] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {"rows": rows, "database_bytes": size, "database_size": f"{size / 2**30:.2f} GiB"}


# --- The marker ----------------------------------------------------------------------------


def _marker() -> dict[str, Any] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name text PRIMARY KEY, "
            "arguments jsonb NOT NULL, sizes jsonb NOT NULL, seconds real NOT NULL, "
            "built_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(
            f"SELECT arguments, sizes, seconds, built_at FROM {MARKER_TABLE} WHERE name = 'large'"  # noqa: S608
        )
        row = cursor.fetchone()
    if row is None:
        return None
    arguments, sizes, seconds, built_at = row

    def load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return {
        "arguments": load(arguments),
        "sizes": load(sizes),
        "seconds": seconds,
        "built_at": str(built_at),
    }


def _write_marker(arguments: dict[str, Any], sizes: dict[str, Any], seconds: float) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (name, arguments, sizes, seconds) "  # noqa: S608
            "VALUES ('large', %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
            "arguments = EXCLUDED.arguments, sizes = EXCLUDED.sizes, "
            "seconds = EXCLUDED.seconds, built_at = now()",
            [json.dumps(arguments), json.dumps(sizes), seconds],
        )


def built(scale: float = 1.0, **overrides: int) -> dict[str, Any] | None:
    """What the marker says was built, when it was built with these arguments; else None."""
    marker = _marker()
    if marker is None or marker["arguments"] != sizes_for(scale, **overrides):
        return None
    return marker


# --- The build -----------------------------------------------------------------------------


def build(
    *, scale: float = 1.0, rebuild: bool = False, progress: Progress = say, **overrides: int
) -> dict[str, Any]:
    """Fill Django's database (PostgreSQL, migrated) with the large data; its sizes.

    ``scale`` multiplies every count of :data:`FULL_SIZE` (not the days or the per-account
    counts); ``overrides`` (``accounts=...`` and so on) set counts as they are. Returns
    ``{"arguments": {...}, "rows": {model label: count}, "database_bytes": n,
    "database_size": "1.23 GiB", "seconds": build seconds, "cached": bool}``."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise LargeDataError("the large data is built on PostgreSQL only")
    arguments = sizes_for(scale, **overrides)
    marker = _marker()
    if marker is not None and marker["arguments"] == arguments and not rebuild:
        progress(f"The large data is there already (built {marker['built_at']}): not rebuilt")
        return {**marker["sizes"], "seconds": marker["seconds"], "cached": True}
    from accounts.models import Account

    if not rebuild and (marker is not None or _has_bulk_data()):
        raise LargeDataError(
            "the database holds other large data"
            + (f" ({marker['arguments']})" if marker else "")
            + ": rebuild to replace it"
        )
    if rebuild and (marker is not None or Account.objects.exists()):
        progress("Emptying the database")
        _empty_database()
        _marker()
    started = time.monotonic()
    _Builder(arguments, progress).run()
    seconds = round(time.monotonic() - started, 1)
    sizes = measure_sizes() | {"arguments": arguments}
    _write_marker(arguments, sizes, seconds)
    progress(f"Built in {seconds:.0f} s; the database is {sizes['database_size']}")
    return {**sizes, "seconds": seconds, "cached": False}


def _has_bulk_data() -> bool:
    from accounts.models import Account

    return Account.objects.filter(slug__startswith=f"{SLUG_PREFIX}-").exists()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Builder:
    """One build; each step prints a line with its time."""

    def __init__(self, sizes: dict[str, int], progress: Progress) -> None:
        from django.utils import timezone

        self.sizes = sizes
        self.progress = progress
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.account_ids: list[int] = []  # the bulk accounts, in order
        self.csm_ids: list[int] = []

    def step(self, name: str, work: Callable[[], str]) -> None:
        started = time.monotonic()
        self.progress(f"  {name}...")
        detail = work()
        self.progress(f"  {name}: {detail} ({time.monotonic() - started:.1f} s)")

    def run(self) -> None:
        s = self.sizes
        self.progress(
            f"Building the large data: {s['accounts']:,} accounts, {s['csms']} CSMs, "
            f"{s['product_users']:,} product users, {s['usage_events']:,} usage events"
        )
        self.step("demo data (load_demo)", self.demo)
        self.step("CSMs and accounts", self.accounts)
        self.step("people on the accounts", self.people)
        self.step("contracts and facts", self.contracts)
        self.step("timelines", self.activities)
        self.step("product users (COPY)", self.product_users)
        self.step("usage events (COPY)", self.usage_events)
        self.step("daily roll-ups", self.roll_ups)
        self.step("health history", self.health)
        self.step("survey responses", self.surveys)
        self.step("onboarding checklists", self.checklists)
        self.step("success plans", self.plans)
        self.step("VACUUM ANALYZE", self.analyze)

    # --- steps ---

    def demo(self) -> str:
        from django.core.management import call_command

        call_command("load_demo", stdout=StringIO())
        return "the demo's people, accounts and logins"

    def accounts(self) -> str:
        from accounts.models import Account, Segment, Stage, TouchModel, User, VendorRole

        s = self.sizes
        demo_csms = list(User.objects.filter(email__in=DEMO_CSMS).order_by("email"))
        new = [
            User(
                email=f"csm-{i:03d}@{EMAIL_DOMAIN}",
                name=f"CSM {i:03d}",
                vendor_role=VendorRole.CSM,
                team=f"Team {i % 10}",
            )
            for i in range(s["csms"] - len(demo_csms))
        ]
        for user in new:
            user.set_unusable_password()  # hashing a real password each would take minutes
        csms = demo_csms + User.objects.bulk_create(new, batch_size=1000)
        self.csm_ids = [u.pk for u in csms]
        segments, stages, touches = list(Segment), list(Stage), list(TouchModel)
        accounts = [
            Account(
                name=f"Large Account {i:05d}",
                slug=f"{SLUG_PREFIX}-{i:05d}",
                owner_id=self.csm_ids[i % len(self.csm_ids)],
                segment=segments[i % len(segments)],
                touch_model=touches[i % len(touches)],
                # One in 25 churned; the others in every stage.
                stage=Stage.CHURNED if i % 25 == 24 else stages[i % (len(stages) - 1)],
                renewal_date=self.today + timedelta(days=i * 7 % 400 - 30),
                brand_color=f"#{i * 37 % 256:02x}{i * 11 % 256:02x}a0",
            )
            for i in range(s["accounts"])
        ]
        self.account_ids = [a.pk for a in Account.objects.bulk_create(accounts, batch_size=2000)]
        return f"{len(csms)} CSMs, {len(accounts):,} accounts"

    def people(self) -> str:
        from accounts.models import CustomerRole, Membership, User

        roles = list(CustomerRole)
        users = [
            User(email=f"{role}-{i:05d}@{EMAIL_DOMAIN}", name=f"{role.label} {i:05d}")
            for i in range(len(self.account_ids))
            for role in roles
        ]
        for user in users:
            user.set_unusable_password()
        users = User.objects.bulk_create(users, batch_size=2000)
        Membership.objects.bulk_create(
            (
                Membership(user_id=users[i * len(roles) + j].pk, account_id=pk, role=role)
                for i, pk in enumerate(self.account_ids)
                for j, role in enumerate(roles)
            ),
            batch_size=5000,
        )
        self.people_ids = [u.pk for u in users]
        return f"{len(users):,} people, {len(roles)} on each account"

    def contracts(self) -> str:
        from insights.models import AccountFacts, Contract, ContractKind

        pulses = ["", *AccountFacts.Pulse.values]
        users_each = max(1, self.sizes["product_users"] // len(self.account_ids))
        AccountFacts.objects.bulk_create(
            (
                AccountFacts(
                    account_id=pk,
                    licensed_seats=users_each * (1 + i % 3),
                    pulse=pulses[i % len(pulses)],
                    pulse_note="Checked in last week" if i % len(pulses) else "",
                )
                for i, pk in enumerate(self.account_ids)
            ),
            batch_size=5000,
        )
        contracts = []
        for i, pk in enumerate(self.account_ids):
            starts = self.today - timedelta(days=i % 700)
            contracts.append(
                Contract(
                    account_id=pk,
                    external_id=f"L-{i:05d}",
                    product="Platform",
                    kind=ContractKind.NEW,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=730),
                    recurring_value=12_000 + 600 * (i % 40),
                    term_months=24,
                )
            )
            if i % 4 == 0:
                contracts.append(
                    Contract(
                        account_id=pk,
                        external_id=f"L-{i:05d}-X",
                        product="Add-on",
                        kind=ContractKind.EXPANSION,
                        starts_on=starts + timedelta(days=180),
                        ends_on=starts + timedelta(days=730),
                        recurring_value=300 + 50 * (i % 10),
                        value_period=Contract.ValuePeriod.MONTH,
                        term_months=18,
                    )
                )
        Contract.objects.bulk_create(contracts, batch_size=5000)
        return f"{len(contracts):,} contracts"

    def activities(self) -> str:
        from django.contrib.contenttypes.models import ContentType

        from accounts.models import Activity, Membership

        per = self.sizes["activities_per_account"]
        membership_type = ContentType.objects.get_for_model(Membership)
        verbs = ["opened the portal", "completed a task", "commented", "joined the account"]
        rows = (
            Activity(
                account_id=pk,
                actor_id=self.people_ids[3 * i + j % 3]
                if j % 2
                else self.csm_ids[i % len(self.csm_ids)],
                verb=verbs[j % len(verbs)],
                target_type=membership_type,
                target_id=str(j),
                target_label=f"Item {j}",
                created_at=self.now - timedelta(days=(i + 5 * j) % 60, hours=j),
            )
            for i, pk in enumerate(self.account_ids)
            for j in range(per)
        )
        Activity.objects.bulk_create(rows, batch_size=5000)
        return f"{per * len(self.account_ids):,} activities"

    def _copy(self, table: str, columns: list[str], lines: Iterator[str]) -> int:
        """COPY text lines (tab-separated, in ``columns`` order) into ``table``, in blocks."""
        from django.db import connection, transaction

        written = 0
        block: list[str] = []
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for line in lines:
                    block.append(line)
                    if len(block) == 50_000:
                        copy.write("".join(block))
                        written += len(block)
                        block.clear()
                if block:
                    copy.write("".join(block))
                    written += len(block)
        return written

    def product_users(self) -> str:
        from insights.models import ProductUser

        ids = self.account_ids
        total = self.sizes["product_users"]
        created = self.now.isoformat()

        def lines() -> Iterator[str]:
            for n in range(total):
                i, u = n % len(ids), n // len(ids)
                yield (f"{ids[i]}\tu{u}\tuser{u}.{i}@customer{i}.example\tUser {u}\t{created}\n")

        meta = ProductUser._meta
        written = self._copy(
            meta.db_table, ["account_id", "external_id", "email", "name", "created_at"], lines()
        )
        return f"{written:,} product users"

    def usage_events(self) -> str:
        """Every (account, day) pair gets its share of the events, spread evenly; on one day
        an account's rows are distinct users, each on one feature."""
        from insights.models import UsageEvent
        from insights.services.partitions import ensure_usage_partitions

        ids = self.account_ids
        days = self.sizes["usage_days"]
        total = self.sizes["usage_events"]
        users = max(1, self.sizes["product_users"] // len(ids))
        first = self.today - timedelta(days=days - 1)
        ensure_usage_partitions(first, self.today)
        pairs = len(ids) * days
        if total > pairs * users:
            raise LargeDataError("more usage events than (account, day, user) keys")
        features = FEATURES

        def lines(month_days: list[int]) -> Iterator[str]:
            # Account by account, then day by day: each account's rows of the month go into
            # the indexes side by side (day by day, then account, they would land in 10,000
            # places of each index every day, and the COPY would slow down as they grow).
            for i, pk in enumerate(ids):
                for d in month_days:
                    p = d * len(ids) + i  # the (day, account) pair's number
                    k = (p + 1) * total // pairs - p * total // pairs
                    day = (first + timedelta(days=d)).isoformat()
                    for j in range(k):
                        u = (i + d * k + j) % users
                        yield f"{pk}\tu{u}\t{day}\t{features[(d + j + i) % 8]}\t{1 + (u + d) % 9}\n"

        started = time.monotonic()
        meta = UsageEvent._meta
        written = 0
        # One COPY a month: progress to watch, and no single 20-million-row transaction.
        months: dict[str, list[int]] = {}
        for d in range(days):
            months.setdefault((first + timedelta(days=d)).strftime("%Y-%m"), []).append(d)
        for month, month_days in months.items():
            written += self._copy(
                meta.db_table,
                ["account_id", "user_key", "day", "feature", "count"],
                lines(month_days),
            )
            rate = written / (time.monotonic() - started)
            self.progress(f"    {month}: {written:,} events so far ({rate:,.0f} a second)")
        return f"{written:,} usage events over {days} days"

    def roll_ups(self) -> str:
        from django.db import connection

        from insights.models import FeatureUsageDay, UsageDay

        days = self.sizes["history_days"]
        users = max(1, self.sizes["product_users"] // len(self.account_ids))
        features = FEATURES[: self.sizes["features_per_account"]]
        first, last = self.account_ids[0], self.account_ids[-1]
        start = self.today - timedelta(days=days - 1)
        with connection.cursor() as cursor:
            # Made up but consistent: DAU <= WAU <= MAU <= the account's users.
            cursor.execute(
                f'INSERT INTO "{UsageDay._meta.db_table}" '  # noqa: S608
                "(account_id, day, active_users, weekly_active_users, monthly_active_users, "
                "events) SELECT a.id, d::date, 1 + (a.id + g) %% %(dau)s, "
                "1 + (a.id + g) %% %(dau)s + (a.id %% %(wau)s), "
                "1 + (a.id + g) %% %(dau)s + (a.id %% %(wau)s) + (a.id %% %(mau)s), "
                "3 + (a.id * 7 + g) %% 40 FROM accounts_account a, "
                "generate_series(0, %(days)s - 1) g, "
                "LATERAL (SELECT %(start)s::date + g AS d) day "
                "WHERE a.id BETWEEN %(first)s AND %(last)s "
                "ORDER BY a.id, d ON CONFLICT DO NOTHING",
                {
                    "dau": max(1, users // 3),
                    "wau": max(1, users // 4),
                    "mau": max(1, users // 4),
                    "days": days,
                    "start": start,
                    "first": first,
                    "last": last,
                },
            )
            usage_days = cursor.rowcount
            cursor.execute(
                f'INSERT INTO "{FeatureUsageDay._meta.db_table}" '  # noqa: S608
                "(account_id, day, feature, monthly_users, events) "
                "SELECT a.id, %(start)s::date + g, f.feature, "
                "1 + (a.id + g + f.n) %% %(users)s, (a.id + g * f.n) %% 12 "
                "FROM accounts_account a, generate_series(0, %(days)s - 1) g, "
                "unnest(%(features)s::text[]) WITH ORDINALITY f(feature, n) "
                "WHERE a.id BETWEEN %(first)s AND %(last)s "
                "ORDER BY a.id, g, f.feature ON CONFLICT DO NOTHING",
                {
                    "users": users,
                    "days": days,
                    "start": start,
                    "first": first,
                    "last": last,
                    "features": features,
                },
            )
            feature_days = cursor.rowcount
        return f"{usage_days:,} usage days, {feature_days:,} feature days"

    def health(self) -> str:
        from django.db import connection

        from accounts.models import Account
        from insights.models import HealthConfig, HealthScore

        days = self.sizes["history_days"]
        config = HealthConfig.current()
        template = (
            HealthScore.objects.filter(account__slug=MEASURED_ACCOUNT)
            .order_by("-day")
            .values_list("parts", flat=True)
            .first()
        ) or {}
        measured = Account.objects.filter(slug=MEASURED_ACCOUNT).values_list("pk", flat=True)
        ids = [*self.account_ids, *measured]
        start = self.today - timedelta(days=days - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{HealthScore._meta.db_table}" '  # noqa: S608
                "(account_id, day, score, band, parts, computed_at) "
                "SELECT a, %(start)s::date + g, s.score, CASE WHEN s.score >= %(healthy)s "
                "THEN 'healthy' WHEN s.score >= %(at_risk)s THEN 'at_risk' ELSE 'critical' END, "
                "%(parts)s::jsonb, %(now)s FROM unnest(%(ids)s::bigint[]) a, "
                "generate_series(0, %(days)s - 1) g, "
                "LATERAL (SELECT (a * 37 + g / 7) %% 101 AS score) s "
                "ORDER BY a, g ON CONFLICT DO NOTHING",
                {
                    "start": start,
                    "days": days,
                    "healthy": config.healthy_from,
                    "at_risk": config.at_risk_from,
                    "parts": json.dumps(template),
                    "now": self.now,
                    "ids": ids,
                },
            )
            written = cursor.rowcount
        return f"{written:,} daily scores ({days} days of {len(ids):,} accounts)"

    def surveys(self) -> str:
        from django.db import connection

        from accounts.models import Membership, User
        from surveys.models import Campaign, Delivery, Kind, Response, Survey

        total = self.sizes["survey_responses"]
        admin = User.objects.get(email=CS_ADMIN)
        survey = Survey.objects.create(
            name="Large NPS",
            kind=Kind.NPS,
            question="How likely are you to recommend us to a friend or colleague?",
            created_by=admin,
        )
        people = len(self.people_ids)
        waves = max(1, math.ceil(total / people))
        campaign = Campaign.objects.create(
            survey=survey, name="Large quarterly NPS", roles=["champion", "executive", "member"],
            schedule="every", repeat_days=90, waves=waves, created_by=admin,
        )  # fmt: skip
        first, last = self.account_ids[0], self.account_ids[-1]
        params: dict[str, Any] = {
            "campaign": campaign.pk,
            "waves": waves,
            "first": first,
            "last": last,
            "total": total,
            "now": self.now,
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{Delivery._meta.db_table}" (campaign_id, wave, account_id, '  # noqa: S608
                "user_id, channel, created_at, sent_at) SELECT %(campaign)s, w, m.account_id, "
                "m.user_id, 'portal', %(now)s - make_interval(days => 90 * (%(waves)s - w)), "
                "%(now)s - make_interval(days => 90 * (%(waves)s - w)) "
                f'FROM "{Membership._meta.db_table}" m, generate_series(1, %(waves)s) w '
                "WHERE m.account_id BETWEEN %(first)s AND %(last)s "
                "ORDER BY w, m.id LIMIT %(total)s",
                params,
            )
            cursor.execute(
                f'INSERT INTO "{Response._meta.db_table}" (delivery_id, campaign_id, account_id, '  # noqa: S608
                "user_id, kind, score, comment, channel, answered_at, updated_at) "
                "SELECT d.id, d.campaign_id, d.account_id, d.user_id, 'nps', "
                "(d.id * 7 + d.wave) %% 11, '', 'portal', d.created_at + interval '1 day', "
                "d.created_at + interval '1 day' "
                f'FROM "{Delivery._meta.db_table}" d WHERE d.campaign_id = %(campaign)s',
                params,
            )
            written = cursor.rowcount
        return f"{written:,} responses over {waves} waves"

    def checklists(self) -> str:
        import uuid

        from onboarding.models import Checklist, ChecklistPhase, Side, Task

        count = self.sizes["checklists"]
        per = self.sizes["tasks_per_checklist"]
        ids = self.account_ids[:count]
        checklists = Checklist.objects.bulk_create(
            (
                Checklist(
                    account_id=pk,
                    template_name="Standard onboarding",
                    kickoff_date=self.today - timedelta(days=i % 120),
                    started_by_id=self.csm_ids[i % len(self.csm_ids)],
                    value_reached_at=self.now if i % 3 == 0 else None,
                    completed_at=self.now if i % 5 == 0 else None,
                )
                for i, pk in enumerate(ids)
            ),
            batch_size=5000,
        )
        phases = ChecklistPhase.objects.bulk_create(
            (
                ChecklistPhase(checklist_id=c.pk, name=name, position=position)
                for c in checklists
                for position, name in enumerate(["Kickoff", "Go-live"])
            ),
            batch_size=5000,
        )
        kickoff = {c.pk: c.kickoff_date for c in checklists}
        done = {c.pk: c.completed_at is not None for c in checklists}
        tasks = 0
        for batch in _chunks(phases, 5000):
            written = Task.objects.bulk_create(
                Task(
                    checklist_id=phase.checklist_id,
                    phase_id=phase.pk,
                    title=f"Step {j + 1}",
                    owner_side=Side.CUSTOMER if j % 2 else Side.VENDOR,
                    is_value_milestone=phase.position == 1 and j == per // 2 - 1,
                    due_date=kickoff[phase.checklist_id] + timedelta(days=7 * j),
                    completed_at=self.now if done[phase.checklist_id] or j % 3 == 0 else None,
                    position=j,
                    client_token=uuid.uuid4(),
                )
                for phase in batch
                for j in range(per // 2 if phase.position == 0 else per - per // 2)
            )
            tasks += len(written)
        return f"{len(checklists):,} checklists, {tasks:,} tasks"

    def plans(self) -> str:
        from decimal import Decimal

        from successplans.models import (
            KPI,
            ActionItem,
            ActionStatus,
            Milestone,
            MilestoneStatus,
            Objective,
            Side,
            SuccessPlan,
        )

        count = self.sizes["success_plans"]
        ids = self.account_ids[:count]
        plans = SuccessPlan.objects.bulk_create(
            (
                SuccessPlan(
                    account_id=pk,
                    name="Success plan",
                    starts_on=self.today - timedelta(days=i % 200),
                    ends_on=self.today - timedelta(days=i % 200) + timedelta(days=365),
                    created_by_id=self.csm_ids[i % len(self.csm_ids)],
                )
                for i, pk in enumerate(ids)
            ),
            batch_size=5000,
        )
        objectives = Objective.objects.bulk_create(
            (
                Objective(plan_id=p.pk, title=title, target_date=p.ends_on, position=j)
                for p in plans
                for j, title in enumerate(["Adoption across the team", "Reporting in place"])
            ),
            batch_size=5000,
        )
        KPI.objects.bulk_create(
            (
                KPI(
                    objective_id=o.pk,
                    name="Weekly active users",
                    unit="%",
                    baseline=Decimal(20),
                    target=Decimal(80),
                    current=Decimal(20 + i % 60),
                )
                for i, o in enumerate(objectives)
            ),
            batch_size=5000,
        )
        Milestone.objects.bulk_create(
            (
                Milestone(
                    plan_id=p.pk,
                    title=f"Milestone {j + 1}",
                    target_date=p.starts_on + timedelta(days=60 + 100 * j),
                    owner_side=Side.CUSTOMER if j % 2 else Side.VENDOR,
                    status=MilestoneStatus.DONE if (i + j) % 4 == 0 else MilestoneStatus.PLANNED,
                    position=j,
                )
                for i, p in enumerate(plans)
                for j in range(3)
            ),
            batch_size=5000,
        )
        ActionItem.objects.bulk_create(
            (
                ActionItem(
                    plan_id=p.pk,
                    title=f"Action {j + 1}",
                    side=Side.CUSTOMER if j % 2 else Side.VENDOR,
                    due_date=self.today + timedelta(days=(i + 7 * j) % 30 - 10),
                    status=ActionStatus.DONE if (i + j) % 3 == 0 else ActionStatus.OPEN,
                    position=j,
                )
                for i, p in enumerate(plans)
                for j in range(4)
            ),
            batch_size=5000,
        )
        return f"{len(plans):,} plans, each with 2 objectives, 2 KPIs, 3 milestones, 4 actions"

    def analyze(self) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")  # a test's transaction: VACUUM cannot run there
                return "ANALYZE (in a transaction)"
            cursor.execute("VACUUM ANALYZE")
        return "planner statistics and visibility map up to date"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Build the large data set on PostgreSQL.")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--rebuild", action="store_true", help="empty the database first")
    parser.add_argument("--database", default=LARGE_DB, help="the database name on the server")
    args = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL server (its database is not used)")
    open_database(database_url(url, args.database))
    result = build(scale=args.scale, rebuild=args.rebuild)
    say(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

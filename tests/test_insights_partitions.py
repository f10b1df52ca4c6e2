"""Raw usage events by month: PostgreSQL's partitions (made ahead, caught by DEFAULT, pruned by
the queries that read usage), the retention of raw events, and the upserts on the partitioned
table. The PostgreSQL tests are skipped on SQLite, where the table is a plain one; the
retention and idempotence tests run on both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps.registry import Apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Account
from insights.models import FeatureUsageDay, UsageDay, UsageEvent
from insights.services import partitions
from insights.services.ingest import upsert_usage
from insights.services.usage import roll_up
from insights.tasks import keep_up_usage_events
from reports.figures import most_active_people
from tests.factories import AccountFactory
from tests.queries import counting

D = date(2026, 3, 15)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)


@pytest.fixture
def account(db: None) -> Account:
    return AccountFactory.create()


def row(account: Account, day: date, user: str = "ann", feature: str = "reports", count: int = 1):
    return {
        "account_id": account.pk,
        "user_key": user,
        "day": day,
        "feature": feature,
        "count": count,
    }


def partition_of(event: UsageEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM insights_usageevent WHERE account_id = %s "
            "AND day = %s AND user_key = %s AND feature = %s",
            [event.account_id, event.day, event.user_key, event.feature],
        )
        return str(cursor.fetchone()[0])


def names() -> set[str]:
    return {p.name for p in partitions.usage_partitions()}


# Partitions ---------------------------------------------------------------------------------


@postgres_only
def test_the_table_is_partitioned_by_month_with_a_default(db: None) -> None:
    assert partitions.is_partitioned()
    found = partitions.usage_partitions()
    assert found[-1].name == partitions.DEFAULT_PARTITION and found[-1].start is None
    for p in found[:-1]:
        assert p.start is not None and p.start.day == 1
        assert p.end == partitions.next_month(p.start)


@postgres_only
def test_ingestion_makes_the_partitions_of_the_months_it_writes(account: Account) -> None:
    assert "insights_usageevent_p2019_05" not in names()
    upsert_usage([row(account, date(2019, 5, 10)), row(account, date(2019, 7, 1))])
    assert {"insights_usageevent_p2019_05", "insights_usageevent_p2019_06"} <= names()
    assert "insights_usageevent_p2019_07" in names()
    event = UsageEvent.objects.get(day=date(2019, 5, 10))
    assert partition_of(event) == "insights_usageevent_p2019_05"
    # Once they exist, one catalogue look-up and no DDL.
    with counting() as queries:
        partitions.ensure_usage_partitions(date(2019, 5, 1), date(2019, 7, 31))
    assert len(queries) == 1


@postgres_only
def test_a_day_without_its_month_lands_in_default_and_moves_when_the_month_is_made(
    account: Account,
) -> None:
    UsageEvent.objects.create(
        account=account, day=date(2018, 2, 3), user_key="u", feature="f", count=4
    )
    event = UsageEvent.objects.get(day=date(2018, 2, 3))
    assert partition_of(event) == partitions.DEFAULT_PARTITION  # a write never fails

    assert partitions.ensure_usage_partitions(date(2018, 2, 1), date(2018, 2, 28)) == 1
    event = UsageEvent.objects.get(day=date(2018, 2, 3))
    assert partition_of(event) == "insights_usageevent_p2018_02"
    assert event.count == 4
    assert partitions.ensure_usage_partitions(date(2018, 2, 1), date(2018, 2, 28)) == 0


@postgres_only
def test_the_nightly_task_makes_the_coming_months(db: None, time_machine: Any) -> None:
    time_machine.move_to("2031-11-20 01:30")
    keep_up_usage_events()
    made = {f"insights_usageevent_p{m}" for m in ("2031_11", "2031_12", "2032_01", "2032_02")}
    assert made <= names()
    before = names()
    keep_up_usage_events()  # twice changes nothing
    assert names() == before


# Only the months a query needs ------------------------------------------------------------


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(r[0] for r in cursor.fetchall())


@pytest.fixture
def months_of_usage(account: Account) -> Account:
    """A row on the 10th of every month from November 2025 to May 2026."""
    upsert_usage(
        row(account, date(2025 + (m > 12), (m - 1) % 12 + 1, 10), user=f"u{m}")
        for m in range(11, 18)
    )
    return account


def usage_queries(action: Any) -> list[str]:
    with counting() as queries:
        action()
    return [sql for sql in queries.sql if "insights_usageevent" in sql and sql.startswith("SELECT")]


@postgres_only
def test_the_roll_up_reads_only_the_months_of_its_window(months_of_usage: Account) -> None:
    # The 30 days to 15 March: February and March.
    reads = usage_queries(lambda: roll_up([months_of_usage.pk], [D]))
    assert len(reads) == 2
    for sql in reads:
        plan = explain(sql)
        assert "insights_usageevent_p2026_02" in plan and "insights_usageevent_p2026_03" in plan
        for other in ("2025_11", "2025_12", "2026_01", "2026_04", "2026_05", "default"):
            assert f"insights_usageevent_{other}" not in plan and f"p{other}" not in plan, plan


@postgres_only
def test_the_review_reads_only_the_months_of_its_period(months_of_usage: Account) -> None:
    reads = usage_queries(
        lambda: most_active_people(months_of_usage, date(2026, 1, 1), date(2026, 1, 31))
    )
    assert reads
    for sql in reads:
        plan = explain(sql)
        assert "insights_usageevent_p2026_01" in plan
        assert "p2025_12" not in plan and "p2026_02" not in plan and "default" not in plan


# Retention ----------------------------------------------------------------------------------


@pytest.fixture
def old_and_new(account: Account, time_machine: Any) -> Account:
    """Today 31 March 2026: with 400 days kept, the cutoff is 25 February 2025."""
    time_machine.move_to("2026-03-31 02:00")
    upsert_usage(
        [
            row(account, date(2025, 1, 15), user="jan"),
            row(account, date(2025, 2, 10), user="feb"),
            row(account, date(2025, 3, 10), user="mar"),
            row(account, date(2026, 3, 30), user="now"),
        ]
    )
    roll_up([account.pk], [date(2025, 1, 15), date(2026, 3, 30)])
    return account


def kept_users() -> set[str]:
    return set(UsageEvent.objects.values_list("user_key", flat=True))


def test_the_retention_setting_defaults_to_400_days() -> None:
    assert settings.USAGE_EVENT_RETENTION_DAYS == 400
    assert any(
        e["task"] == "insights.keep_up_usage_events" for e in settings.CELERY_BEAT_SCHEDULE.values()
    )


def test_old_raw_usage_goes_and_the_roll_ups_stay(old_and_new: Account, settings: Any) -> None:
    settings.USAGE_EVENT_RETENTION_DAYS = 400
    roll_ups = (UsageDay.objects.count(), FeatureUsageDay.objects.count())
    keep_up_usage_events()
    if connection.vendor == "postgresql":
        # Whole months only: February 2025 holds days inside the retention, so it stays.
        assert kept_users() == {"feb", "mar", "now"}
        assert "insights_usageevent_p2025_01" not in names()
        assert "insights_usageevent_p2025_02" in names()
    else:
        assert kept_users() == {"mar", "now"}
    assert (UsageDay.objects.count(), FeatureUsageDay.objects.count()) == roll_ups
    assert UsageDay.objects.filter(day=date(2025, 1, 15)).exists()


@postgres_only
def test_old_rows_in_the_default_partition_go_too(account: Account, time_machine: Any) -> None:
    time_machine.move_to("2026-03-31 02:00")
    UsageEvent.objects.create(
        account=account, day=date(2017, 1, 5), user_key="u", feature="f", count=1
    )
    UsageEvent.objects.create(
        account=account, day=date(2037, 1, 5), user_key="u", feature="f", count=1
    )
    partitions.drop_expired_usage()
    assert list(UsageEvent.objects.values_list("day", flat=True)) == [date(2037, 1, 5)]


def test_zero_keeps_raw_usage_forever(old_and_new: Account, settings: Any) -> None:
    settings.USAGE_EVENT_RETENTION_DAYS = 0
    keep_up_usage_events()
    assert kept_users() == {"jan", "feb", "mar", "now"}


# Upserts on the partitioned table -----------------------------------------------------------


def test_pushing_a_row_again_replaces_its_count(account: Account) -> None:
    day = date(2026, 2, 27)
    rows = [row(account, day, user=f"u{n}", feature=f, count=n) for n in range(50) for f in "ab"]
    assert upsert_usage(rows).rows == 100
    assert upsert_usage(rows).rows == 100  # the same again changes nothing
    assert UsageEvent.objects.count() == 100
    again = [r | {"count": r["count"] + 7} for r in rows[:10]]
    # A key twice in one push keeps its last count.
    upsert_usage([*again, row(account, day, user="u0", feature="a", count=99)])
    assert UsageEvent.objects.count() == 100
    counts = dict(UsageEvent.objects.filter(day=day, feature="a").values_list("user_key", "count"))
    assert counts["u0"] == 99 and counts["u1"] == 8 and counts["u9"] == 9
    # Across months (two partitions) in one push.
    upsert_usage([row(account, date(2026, 1, 31)), row(account, date(2026, 2, 1))])
    assert UsageEvent.objects.count() == 102


def test_tabs_newlines_and_backslashes_are_stored_as_sent(account: Account) -> None:
    odd = "tab\there\nnew\\back\rret"
    upsert_usage([row(account, D, user=odd, feature="a\tb")])
    assert UsageEvent.objects.get().user_key == odd
    assert UsageEvent.objects.get().feature == "a\tb"


def test_usage_for_an_account_that_is_gone_writes_nothing(account: Account) -> None:
    gone = AccountFactory.create()
    gone_id = gone.pk
    gone.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        upsert_usage([row(account, D), {**row(account, D, user="x"), "account_id": gone_id}])
    assert not UsageEvent.objects.exists()


def test_deleting_an_account_deletes_its_usage(account: Account) -> None:
    upsert_usage([row(account, D), row(account, date(2025, 6, 1))])
    account.delete()
    assert not UsageEvent.objects.exists()


# The migration keeps existing rows ----------------------------------------------------------

BEFORE = ("insights", "0004_comment_sentiment_weight")


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_usage_rows_move_into_the_partitioned_table(executor: MigrationExecutor) -> None:
    executor.migrate([BEFORE])
    apps: Apps = executor.loader.project_state([BEFORE]).apps
    old_account = apps.get_model("accounts", "Account").objects.create(name="Acme", slug="acme")
    Event = apps.get_model("insights", "UsageEvent")
    Event.objects.bulk_create(
        Event(
            account=old_account,
            day=date(2024, 1, 1) + timedelta(days=n * 9),
            user_key=f"u{n}",
            feature="f",
            count=n,
        )
        for n in range(100)
    )
    last_id = Event.objects.order_by("-id").values_list("id", flat=True)[0]

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert UsageEvent.objects.count() == 100
    assert sorted(UsageEvent.objects.values_list("count", flat=True)) == list(range(100))
    account = Account.objects.get(slug="acme")
    new = UsageEvent.objects.create(account=account, day=D, user_key="new", feature="f", count=1)
    assert new.pk > last_id  # the ids go on from the old ones
    if connection.vendor == "postgresql":
        assert partitions.is_partitioned()
        assert "insights_usageevent_p2024_01" in names()
        event = UsageEvent.objects.get(user_key="u0")
        assert partition_of(event) == "insights_usageevent_p2024_01"
    account.delete()

"""The usage roll-up (distinct counting, windows, idempotency), the figures read from it, and
the bulk upserts everything writes through."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Account
from insights.demo import DEMO, USAGE_DAYS, ensure_demo_insights, usage_days
from insights.figures import usage
from insights.figures.revenue import mrr, period
from insights.models import (
    AccountFacts,
    Contract,
    FeatureUsageDay,
    HealthScore,
    ProductUser,
    UsageDay,
    UsageEvent,
)
from insights.services.ingest import UsageWritten, upsert_contracts, upsert_usage, upsert_users
from insights.services.usage import days_back, roll_up
from portal.jobs import enqueue
from portal.models import Job
from tests.factories import AccountFactory
from tests.queries import count_queries

D = date(2026, 3, 31)


def ago(days: int) -> date:
    return D - timedelta(days=days)


def push(account: Account, *rows: tuple[str, int, str, int]) -> UsageWritten:
    """Rows of (user, days before D, feature, count)."""
    return upsert_usage(
        {"account_id": account.pk, "user_key": u, "day": ago(n), "feature": f, "count": c}
        for u, n, f, c in rows
    )


@pytest.fixture
def account(db: None) -> Account:
    return AccountFactory.create()


@pytest.fixture
def busy(account: Account) -> Account:
    """On D: ann (reports, exports) and bob (reports) active; cy 3 days ago, dee 6 days ago
    (in the week), eve 7 days ago (not), fay 29 days ago (in the month), gus 30 days ago
    (not). Ann was also active 10 and 20 days ago: she counts once."""
    push(
        account,
        ("ann", 0, "reports", 3),
        ("ann", 0, "exports", 1),
        ("bob", 0, "reports", 2),
        ("cy", 3, "alerts", 5),
        ("dee", 6, "reports", 1),
        ("eve", 7, "dashboards", 1),
        ("fay", 29, "api", 9),
        ("gus", 30, "api", 4),
        ("ann", 10, "reports", 1),
        ("ann", 20, "api", 1),
    )
    return account


def test_dau_wau_mau_count_distinct_users_in_their_windows(busy: Account) -> None:
    assert roll_up([busy.pk], [D]) == 1
    row = UsageDay.objects.get(account=busy, day=D)
    assert (row.active_users, row.weekly_active_users, row.monthly_active_users) == (2, 4, 6)
    assert row.events == 6  # 3 + 1 + 2 on D itself


def test_feature_roll_up_counts_users_in_30_days_and_events_of_the_day(busy: Account) -> None:
    roll_up([busy.pk], [D])
    rows = {f.feature: (f.monthly_users, f.events) for f in FeatureUsageDay.objects.filter(day=D)}
    assert rows == {
        "reports": (3, 5),  # ann, bob, dee; 3 + 2 on D
        "exports": (1, 1),
        "alerts": (1, 0),
        "dashboards": (1, 0),
        "api": (2, 0),  # fay and ann (gus is 30 days back: out)
    }


def test_every_day_is_rolled_up_on_its_own_window(busy: Account) -> None:
    roll_up([busy.pk], [ago(3), ago(7)])
    three, seven = (UsageDay.objects.get(day=ago(n)) for n in (3, 7))
    assert (three.active_users, three.weekly_active_users, three.monthly_active_users) == (1, 3, 6)
    # 7 days back: eve that day, ann 3 days before (the week); fay, gus, ann again (the month).
    assert (seven.active_users, seven.weekly_active_users, seven.monthly_active_users) == (1, 2, 4)


def test_rolling_up_twice_changes_nothing(busy: Account) -> None:
    roll_up([busy.pk], days_back(D, 5))
    first = list(UsageDay.objects.values_list("day", "active_users", "monthly_active_users"))
    features = FeatureUsageDay.objects.count()
    roll_up([busy.pk], days_back(D, 5))
    assert list(UsageDay.objects.values_list("day", "active_users", "monthly_active_users")) == (
        first
    )
    assert UsageDay.objects.count() == 5
    assert FeatureUsageDay.objects.count() == features


def test_a_new_roll_up_replaces_the_old_one(busy: Account) -> None:
    roll_up([busy.pk], [D])
    push(busy, ("bob", 0, "reports", 10), ("hal", 0, "api", 1))
    UsageEvent.objects.filter(user_key="fay").delete()
    roll_up([busy.pk], [D])
    row = UsageDay.objects.get(account=busy, day=D)
    assert (row.active_users, row.monthly_active_users, row.events) == (3, 6, 15)
    assert FeatureUsageDay.objects.get(day=D, feature="api").monthly_users == 2  # ann, hal


def test_rows_whose_events_are_gone_are_removed(busy: Account) -> None:
    roll_up([busy.pk], [D])
    UsageEvent.objects.filter(account=busy).exclude(feature="reports").delete()
    roll_up([busy.pk], [D])
    assert set(FeatureUsageDay.objects.values_list("feature", flat=True)) == {"reports"}
    UsageEvent.objects.filter(account=busy).delete()
    roll_up([busy.pk], [D])
    assert not UsageDay.objects.exists()
    assert not FeatureUsageDay.objects.exists()


def test_a_roll_up_for_some_accounts_leaves_the_others_alone(busy: Account) -> None:
    other = AccountFactory.create()
    push(other, ("zed", 0, "reports", 1))
    roll_up(None, [D])
    UsageEvent.objects.filter(account=other).delete()
    roll_up([busy.pk], [D])
    assert UsageDay.objects.filter(account=other, day=D).exists()  # not rolled up again
    roll_up(None, [D])
    assert not UsageDay.objects.filter(account=other, day=D).exists()


def test_the_roll_up_takes_the_same_queries_for_1_and_for_20_accounts(db: None) -> None:
    def queries() -> int:
        return count_queries(lambda: roll_up(None, [D, ago(1)]))

    push(AccountFactory.create(), ("a", 0, "reports", 1), ("b", 1, "api", 1))
    few = queries()
    for i in range(19):
        push(AccountFactory.create(), *((f"u{n}", n % 3, "reports", i + 1) for n in range(10)))
    assert queries() == few


# Reading the roll-ups -------------------------------------------------------------------------


def test_activity_stickiness_and_seats(busy: Account) -> None:
    AccountFacts.objects.create(account=busy, licensed_seats=10)
    roll_up([busy.pk], [D])
    figures = usage.activity(busy, D)
    assert figures is not None
    assert (figures.dau, figures.wau, figures.mau) == (2, 4, 6)
    assert figures.stickiness == Decimal(4) / Decimal(6)
    assert figures.daily_stickiness == Decimal(2) / Decimal(6)
    assert figures.seat_use == Decimal("0.6")
    assert usage.activity_by_account(Account.objects.all(), D) == {busy.pk: figures}


def test_no_roll_up_is_no_data(account: Account) -> None:
    assert usage.activity(account, D) is None
    assert usage.latest_activity(account, D) is None
    assert usage.feature_adoption(account, D) == []
    assert usage.daily_trend(account, ago(10), D) == []
    empty = usage.Activity(day=D, dau=0, wau=0, mau=0, events=0)
    assert empty.stickiness is None
    assert empty.daily_stickiness is None
    assert empty.seat_use is None  # seats unknown


def test_latest_activity_falls_back_to_yesterday(busy: Account) -> None:
    roll_up([busy.pk], [ago(1)])
    latest = usage.latest_activity(busy, D)
    assert latest is not None
    assert latest.day == ago(1)


def test_feature_adoption_is_the_share_of_mau(busy: Account) -> None:
    roll_up([busy.pk], [D])
    adoption = usage.feature_adoption(busy, D)
    assert [(a.feature, a.users) for a in adoption] == [
        ("reports", 3),
        ("api", 2),
        ("alerts", 1),
        ("dashboards", 1),
        ("exports", 1),
    ]
    assert adoption[0].adoption == Decimal("0.5")  # 3 of 6


def test_trends_per_day_and_per_week(busy: Account) -> None:
    roll_up([busy.pk], days_back(D, 14))  # D is a Tuesday
    daily = usage.daily_trend(busy, ago(13), D)
    assert [p.day for p in daily] == days_back(D, 14)
    weekly = usage.weekly_trend(busy, ago(13), D)
    assert [w.week for w in weekly] == [date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)]
    last_week = weekly[-1]
    assert (last_week.wau, last_week.mau, last_week.events) == (4, 6, 6)
    assert last_week.average_dau == Decimal(2 + 0) / 2  # Tue 2, Mon 0
    assert weekly[1].events == 5 + 1 + 1  # cy, dee, eve


def test_last_active_day(busy: Account) -> None:
    roll_up([busy.pk], [ago(n) for n in (5, 6, 7, 8)])
    assert usage.last_active_day(Account.objects.all()) == {busy.pk: ago(6)}


# The bulk upserts ----------------------------------------------------------------------------


def test_upsert_usage_replaces_counts_and_keeps_the_last_of_a_repeated_key(
    account: Account,
) -> None:
    written = push(account, ("ann", 0, "reports", 1), ("ann", 0, "reports", 4), ("bob", 2, "x", 1))
    assert written.rows == 2
    assert written.account_ids == {account.pk}
    assert (written.first_day, written.last_day) == (ago(2), D)
    push(account, ("ann", 0, "reports", 7))
    assert UsageEvent.objects.get(user_key="ann").count == 7
    assert UsageEvent.objects.count() == 2


def test_upsert_usage_in_batches(account: Account) -> None:
    rows = [
        {"account_id": account.pk, "user_key": f"u{n}", "day": D, "feature": "f", "count": 1}
        for n in range(25)
    ]
    upsert_usage(rows, batch_size=10)
    upsert_usage(rows, batch_size=7)
    assert UsageEvent.objects.count() == 25
    assert upsert_usage([]) == UsageWritten()


def test_days_to_roll_up_after_an_upsert(account: Account) -> None:
    written = push(account, ("ann", 40, "reports", 1), ("ann", 38, "reports", 1))
    days = written.days_to_roll_up(today=D)
    assert (days[0], days[-1], len(days)) == (ago(40), ago(38) + timedelta(29), 32)
    assert written.days_to_roll_up(today=ago(39)) == [ago(40), ago(39)]
    assert UsageWritten().days_to_roll_up(D) == []


def test_upsert_contracts_and_users_by_external_id(account: Account) -> None:
    row = {
        "account_id": account.pk,
        "external_id": "C-1",
        "recurring_value": Decimal(1200),
        "term_months": 12,
        "starts_on": ago(10),
        "ends_on": ago(10) + timedelta(365),
    }
    assert upsert_contracts([row]) == 1
    upsert_contracts([{**row, "recurring_value": Decimal(2400)}])
    assert Contract.objects.get().mrr == 200
    user = {"account_id": account.pk, "external_id": "u1", "email": "a@x.example", "name": "A"}
    upsert_users([user])
    upsert_users([{**user, "name": "Ann"}])
    assert ProductUser.objects.get().name == "Ann"


# Tasks and the demo --------------------------------------------------------------------------


def test_the_roll_up_task_on_demand(busy: Account, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue("insights.roll_up_usage", account_ids=[busy.pk], days=[D.isoformat()])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert UsageDay.objects.get(account=busy, day=D).monthly_active_users == 6


def test_nightly_beat_entries() -> None:
    # One coordinator rolls up, then scores, in chunks (tests/test_insights_nightly.py).
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "insights.run_nightly" in tasks


def test_the_demo_is_idempotent(db: None) -> None:
    for slug in ("acme", "globex", "initech"):
        AccountFactory.create(slug=slug, renewal_date=D + timedelta(days=45))
    today = D
    assert ensure_demo_insights(today) > 0
    counts = [m.objects.count() for m in (Contract, ProductUser, UsageEvent, UsageDay)]
    assert ensure_demo_insights(today) == 0
    assert [m.objects.count() for m in (Contract, ProductUser, UsageEvent, UsageDay)] == counts
    assert HealthScore.objects.filter(day=today).count() == 3
    acme, initech = (Account.objects.get(slug=s) for s in ("acme", "initech"))
    accounts = Account.objects.all()
    assert period(accounts, today - timedelta(days=30), today).expansion > 0  # acme's upsell
    assert period(accounts, today - timedelta(days=60), today).contraction > 0  # initech
    assert mrr(initech, today) < mrr(initech, today - timedelta(days=60))
    assert mrr(acme, today) > mrr(acme, today - timedelta(days=30))
    assert 10 <= ProductUser.objects.filter(account=initech).count() <= 40
    acme_spec = next(s for s in DEMO if s.slug == "acme")
    assert UsageDay.objects.filter(account=acme).count() == usage_days(acme_spec) == USAGE_DAYS

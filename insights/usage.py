"""Usage figures, read from the daily roll-ups (never from raw events), and the roll-up itself.

- DAU, WAU, MAU: distinct active users in the day, the 7 days and the 30 days to a day.
- Stickiness: WAU / MAU (2,500 / 5,000 = 50%), and DAU / MAU.
- Active users against licensed seats: MAU / seats.
- Feature adoption: share of the MAU who used the feature in the same 30 days.

Rates are Decimal fractions, shown with :func:`insights.revenue.percent`; a rate with nothing
to divide by is None ("no data").

The roll-up (:func:`roll_up`) writes one :class:`UsageDay` per account and day, and one
:class:`FeatureUsageDay` per feature, for every account with activity in the 30 days to that day.
It counts distinct users in the database and upserts, so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts.models import Account

from .models import AccountFacts, FeatureUsageDay, UsageDay, UsageEvent
from .revenue import ratio

WEEK_DAYS = 7
MONTH_DAYS = 30


# Reading the roll-ups ------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """An account's usage on one day, from its roll-up."""

    day: date
    dau: int
    wau: int
    mau: int
    events: int
    licensed_seats: int | None = None

    @property
    def stickiness(self) -> Decimal | None:
        """WAU / MAU."""
        return ratio(self.wau, self.mau)

    @property
    def daily_stickiness(self) -> Decimal | None:
        """DAU / MAU."""
        return ratio(self.dau, self.mau)

    @property
    def seat_use(self) -> Decimal | None:
        """MAU / licensed seats; None when the seats are not known."""
        return ratio(self.mau, self.licensed_seats or 0)

    @classmethod
    def of(cls, row: UsageDay, seats: int | None = None) -> Activity:
        return cls(
            day=row.day,
            dau=row.active_users,
            wau=row.weekly_active_users,
            mau=row.monthly_active_users,
            events=row.events,
            licensed_seats=seats,
        )


def stickiness(wau: int, mau: int) -> Decimal | None:
    return ratio(wau, mau)


def _seats(account: Account) -> int | None:
    facts = AccountFacts.objects.filter(account=account).values_list("licensed_seats", flat=True)
    return facts.first()


def activity(account: Account, day: date) -> Activity | None:
    """The account's usage on ``day``; None when it has no roll-up that day (no activity in
    the 30 days to it, or not rolled up yet)."""
    row = UsageDay.objects.filter(account=account, day=day).first()
    return Activity.of(row, _seats(account)) if row else None


def latest_activity(account: Account, day: date, *, within: int = 2) -> Activity | None:
    """The newest roll-up on or up to ``within`` days before ``day`` (tonight's roll-up may
    not have run yet)."""
    row = (
        UsageDay.objects.filter(account=account, day__lte=day, day__gt=day - timedelta(within))
        .order_by("-day")
        .first()
    )
    return Activity.of(row, _seats(account)) if row else None


def activity_by_account(accounts: QuerySet[Account], day: date) -> dict[int, Activity]:
    """Each account's usage on ``day`` (those with a roll-up), in one query."""
    rows = UsageDay.objects.filter(
        account__in=accounts.order_by().values("pk"), day=day
    ).values_list(
        "account_id",
        "active_users",
        "weekly_active_users",
        "monthly_active_users",
        "events",
        "account__facts__licensed_seats",
    )
    return {
        account_id: Activity(day, dau, wau, mau, events, seats)
        for account_id, dau, wau, mau, events, seats in rows
    }


def last_active_day(accounts: QuerySet[Account]) -> dict[int, date]:
    """The last day each account had an active user (from the roll-ups), in one query."""
    rows = (
        UsageDay.objects.filter(account__in=accounts.order_by().values("pk"), active_users__gt=0)
        .values("account_id")
        .annotate(last=Max("day"))
        .values_list("account_id", "last")
    )
    return dict(rows)


@dataclass(frozen=True)
class FeatureAdoption:
    feature: str
    users: int  # distinct users of the feature in the 30 days
    mau: int

    @property
    def adoption(self) -> Decimal | None:
        """Share of the MAU who used the feature."""
        return ratio(self.users, self.mau)


def feature_adoption(account: Account, day: date) -> list[FeatureAdoption]:
    """Each feature used in the 30 days to ``day``, most adopted first (two queries)."""
    usage = UsageDay.objects.filter(account=account, day=day).first()
    if usage is None:
        return []
    rows = (
        FeatureUsageDay.objects.filter(account=account, day=day)
        .order_by("-monthly_users", "feature")
        .values_list("feature", "monthly_users")
    )
    return [FeatureAdoption(f, users, usage.monthly_active_users) for f, users in rows]


def daily_trend(account: Account, start: date, end: date) -> list[Activity]:
    """One point per rolled-up day from ``start`` to ``end`` inclusive (one query). Days with
    no roll-up are absent, not zero: the chart shows a gap, never an invented value."""
    rows = UsageDay.objects.filter(account=account, day__range=(start, end)).order_by("day")
    return [Activity.of(row) for row in rows]


@dataclass(frozen=True)
class WeekPoint:
    """A week's usage: ``week`` is its Monday; WAU and MAU as of its last rolled-up day;
    DAU the mean over its rolled-up days; events summed."""

    week: date
    average_dau: Decimal
    wau: int
    mau: int
    events: int


def weekly_trend(account: Account, start: date, end: date) -> list[WeekPoint]:
    """One point per ISO week with a roll-up between ``start`` and ``end`` (one query)."""
    weeks: dict[date, list[Activity]] = {}
    for point in daily_trend(account, start, end):
        weeks.setdefault(point.day - timedelta(point.day.weekday()), []).append(point)
    return [
        WeekPoint(
            week=monday,
            average_dau=Decimal(sum(p.dau for p in points)) / len(points),
            wau=points[-1].wau,
            mau=points[-1].mau,
            events=sum(p.events for p in points),
        )
        for monday, points in weeks.items()
    ]


# The roll-up ---------------------------------------------------------------------------------


def _window(day: date, days: int) -> Q:
    return Q(day__gt=day - timedelta(days=days), day__lte=day)


def _events(account_ids: Iterable[int] | None, day: date) -> QuerySet[UsageEvent]:
    events = UsageEvent.objects.filter(_window(day, MONTH_DAYS)).order_by()
    if account_ids is not None:
        events = events.filter(account_id__in=list(account_ids))
    return events


def _usage_days(account_ids: Iterable[int] | None, day: date) -> list[UsageDay]:
    rows = (
        _events(account_ids, day)
        .values("account_id")
        .annotate(
            dau=Count("user_key", distinct=True, filter=Q(day=day)),
            wau=Count("user_key", distinct=True, filter=_window(day, WEEK_DAYS)),
            mau=Count("user_key", distinct=True),
            total=Sum("count", filter=Q(day=day), default=0),
        )
    )
    return [
        UsageDay(
            account_id=row["account_id"],
            day=day,
            active_users=row["dau"],
            weekly_active_users=row["wau"],
            monthly_active_users=row["mau"],
            events=row["total"],
        )
        for row in rows
    ]


def _feature_days(account_ids: Iterable[int] | None, day: date) -> list[FeatureUsageDay]:
    """Per feature: distinct users in the 30 days to ``day``; events on ``day`` itself."""
    rows = (
        _events(account_ids, day)
        .values("account_id", "feature")
        .annotate(
            users=Count("user_key", distinct=True),
            total=Sum("count", filter=Q(day=day), default=0),
        )
    )
    return [
        FeatureUsageDay(
            account_id=row["account_id"],
            day=day,
            feature=row["feature"],
            monthly_users=row["users"],
            events=row["total"],
        )
        for row in rows
    ]


def _scope(queryset: QuerySet, account_ids: list[int] | None) -> QuerySet:
    return queryset if account_ids is None else queryset.filter(account_id__in=account_ids)


@transaction.atomic
def roll_up_day(account_ids: list[int] | None, day: date) -> int:
    """Roll up one day for ``account_ids`` (None: every account); four to six queries.
    Returns how many account roll-ups were written."""
    usage = _usage_days(account_ids, day)
    features = _feature_days(account_ids, day)
    UsageDay.objects.bulk_create(
        usage,
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["active_users", "weekly_active_users", "monthly_active_users", "events"],
    )
    FeatureUsageDay.objects.bulk_create(
        features,
        update_conflicts=True,
        unique_fields=["account", "day", "feature"],
        update_fields=["monthly_users", "events"],
    )
    # Rows whose events were since deleted or replaced: gone from the roll-up too.
    _scope(UsageDay.objects.filter(day=day), account_ids).exclude(
        account_id__in=[u.account_id for u in usage]
    ).delete()
    kept = {(f.account_id, f.feature) for f in features}
    stale = [
        pk
        for pk, account_id, feature in _scope(
            FeatureUsageDay.objects.filter(day=day), account_ids
        ).values_list("pk", "account_id", "feature")
        if (account_id, feature) not in kept
    ]
    if stale:
        FeatureUsageDay.objects.filter(pk__in=stale).delete()
    return len(usage)


def roll_up(account_ids: Iterable[int] | None, days: Iterable[date]) -> int:
    """Roll up ``days`` for ``account_ids`` (None: every account), a day at a time; the
    number of queries grows with the days, never with the accounts or events."""
    ids = None if account_ids is None else sorted(set(account_ids))
    return sum(roll_up_day(ids, day) for day in sorted(set(days)))


def days_back(today: date, count: int) -> list[date]:
    """``count`` days ending with ``today``."""
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]

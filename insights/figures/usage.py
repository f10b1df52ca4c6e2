"""Usage figures, read from the daily roll-ups (never from raw events; the roll-up itself is
:mod:`insights.services.usage`).

- DAU, WAU, MAU: distinct active users in the day, the 7 days and the 30 days to a day.
- Stickiness: WAU / MAU (2,500 / 5,000 = 50%), and DAU / MAU.
- Active users against licensed seats: MAU / seats.
- Feature adoption: share of the MAU who used the feature in the same 30 days.

Rates are Decimal fractions, shown with ``|rate`` (:func:`portal.formatting.rate`); a rate with
nothing to divide by is None ("no data"). Every page, PDF and the API read an account's usage
"now" through :func:`latest_activity`, so they agree on the day and its figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext

from accounts.models import Account
from portal import formatting
from portal.charts import bar_chart, line_chart
from portal.formatting import rounded

from ..models import AccountFacts, FeatureUsageDay, UsageDay
from .revenue import ratio

TREND_DAYS = 90


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


def _recent(day: date, within: int) -> Q:
    return Q(day__lte=day, day__gt=day - timedelta(within))


def latest_activity(account: Account, day: date, *, within: int = 2) -> Activity | None:
    """The newest roll-up on or up to ``within`` days before ``day`` (tonight's roll-up may
    not have run yet)."""
    row = UsageDay.objects.filter(_recent(day, within), account=account).order_by("-day").first()
    return Activity.of(row, _seats(account)) if row else None


def latest_activity_by_account(
    accounts: QuerySet[Account], day: date, *, within: int = 2
) -> dict[int, Activity]:
    """:func:`latest_activity` of each of ``accounts`` (those with a recent roll-up), with
    their licensed seats, in one query."""
    return latest_activity_of_rows(latest_activity_query(accounts, day, within=within))


def latest_activity_query(
    accounts: QuerySet[Account], day: date, *, within: int = 2
) -> QuerySet[Any]:
    """The rows :func:`latest_activity_by_account` reads (for a caller that compiles the
    query once and feeds :func:`latest_activity_of_rows` the rows)."""
    return (
        UsageDay.objects.filter(_recent(day, within), account__in=accounts.order_by().values("pk"))
        .order_by("account_id", "-day")
        .values_list(
            "account_id",
            "day",
            "active_users",
            "weekly_active_users",
            "monthly_active_users",
            "events",
            "account__facts__licensed_seats",
        )
    )


def latest_activity_of_rows(rows: Iterable[tuple[Any, ...]]) -> dict[int, Activity]:
    """:func:`latest_activity_by_account` from the rows of :func:`latest_activity_query`."""
    found: dict[int, Activity] = {}
    for account_id, row_day, dau, wau, mau, events, seats in rows:
        found.setdefault(account_id, Activity(row_day, dau, wau, mau, events, seats))
    return found


def seat_use_percent(activity: Activity) -> int | None:
    """:attr:`Activity.seat_use` as the whole percent pages print (half up); None without
    seats."""
    use = activity.seat_use
    return None if use is None else int(rounded(use * 100))


def seat_use_reached(accounts: QuerySet[Account], percent: int) -> dict[int, date]:
    """For each of ``accounts`` with licensed seats, the last rolled-up day its seat use
    (:func:`seat_use_percent`) was *below* ``percent``: after it, seat use rose to ``percent``
    or more. Accounts never below it are missing. One query.

    Rounded half up, ``seat_use_percent(a) >= p`` is ``MAU / seats >= p - 1/2``, so "below" is
    ``200 x MAU < (2p - 1) x seats`` in whole numbers (a test proves the two agree)."""
    rows = (
        UsageDay.objects.filter(
            account__in=accounts.order_by().values("pk"), account__facts__licensed_seats__gt=0
        )
        .alias(
            used=F("monthly_active_users") * 200,
            bar=F("account__facts__licensed_seats") * (2 * percent - 1),
        )
        .filter(used__lt=F("bar"))
        .order_by()
        .values("account_id")
        .annotate(last=Max("day"))
        .values_list("account_id", "last")
    )
    return dict(rows)


def feature_users_by_account(
    account_ids: list[int], features: list[str], day: date, *, within: int = 2
) -> dict[tuple[int, str], tuple[date, int]]:
    """For each (account, feature) of ``account_ids`` x ``features`` with a recent roll-up
    (as :func:`latest_activity`), the day and the people who used the feature in the 30 days
    to it. One query."""
    rows = (
        FeatureUsageDay.objects.filter(
            _recent(day, within), account_id__in=account_ids, feature__in=features
        )
        .order_by("account_id", "feature", "-day")
        .values_list("account_id", "feature", "day", "monthly_users")
    )
    found: dict[tuple[int, str], tuple[date, int]] = {}
    for account_id, feature, row_day, users in rows:
        found.setdefault((account_id, feature), (row_day, users))
    return found


def weekly_change(before: int, now: int) -> Decimal | None:
    """How WAU moved from ``before`` to ``now`` as a fraction (-0.25: down a quarter); None
    with nothing before to compare with."""
    return ratio(now - before, before)


def feature_last_used(accounts: QuerySet[Account]) -> dict[tuple[int, str], date]:
    """The last day each feature was used at each of ``accounts`` (from the roll-ups: a day
    with events), by (account id, feature). One query."""
    rows = (
        FeatureUsageDay.objects.filter(account__in=accounts.order_by().values("pk"), events__gt=0)
        .order_by()
        .values("account_id", "feature")
        .annotate(last=Max("day"))
        .values_list("account_id", "feature", "last")
    )
    return {(account_id, feature): last for account_id, feature, last in rows}


def activity_by_account(accounts: QuerySet[Account], day: date) -> dict[int, Activity]:
    """Each account's usage on ``day`` (those with a roll-up), in one query."""
    return activity_of_rows(activity_query(accounts, day), day)


def activity_query(accounts: QuerySet[Account], day: date) -> QuerySet[Any]:
    """The rows :func:`activity_by_account` reads (for a caller that compiles the query once
    and feeds :func:`activity_of_rows` the rows)."""
    return UsageDay.objects.filter(
        account__in=accounts.order_by().values("pk"), day=day
    ).values_list(
        "account_id",
        "active_users",
        "weekly_active_users",
        "monthly_active_users",
        "events",
        "account__facts__licensed_seats",
    )


def activity_of_rows(rows: Iterable[tuple[Any, ...]], day: date) -> dict[int, Activity]:
    """:func:`activity_by_account` from the rows of :func:`activity_query`."""
    return {
        account_id: Activity(day, dau, wau, mau, events, seats)
        for account_id, dau, wau, mau, events, seats in rows
    }


def last_active_day(accounts: QuerySet[Account]) -> dict[int, date]:
    """The last day each account had an active user (from the roll-ups), in one query.

    One look-up per account, newest day first, on the (account, day) index: it reads a row or
    two each, where ``MAX(day) ... GROUP BY account`` read every roll-up of every account (3.6
    million rows for 10,000 accounts' year)."""
    latest = UsageDay.objects.filter(account=OuterRef("pk"), active_users__gt=0).order_by("-day")
    rows = (
        accounts.order_by()
        .annotate(last_active=Subquery(latest.values("day")[:1]))
        .values_list("pk", "last_active")
    )
    return {pk: day for pk, day in rows if day is not None}


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


# For an account's pages ---------------------------------------------------------------------


def usage_summary(account: Account, today: date) -> dict[str, Any]:
    """Active users now, their trend and feature adoption, with the charts: the same on the
    account page, the 360° page and in PDFs (a fixed number of queries)."""
    now = latest_activity(account, today)
    if now is None:
        return {"usage": None}
    start = today - timedelta(days=TREND_DAYS - 1)
    points = {a.day: a for a in daily_trend(account, start, today)}
    days = [start + timedelta(days=i) for i in range(TREND_DAYS)]
    trend = line_chart(
        [(formatting.day_month(d), float(points[d].wau) if d in points else None) for d in days],
        title=gettext("Weekly active users at %(account)s, last %(days)s days")
        % {"account": account.name, "days": TREND_DAYS},
    )
    adoption = feature_adoption(account, now.day)
    adoption_chart = bar_chart(
        [
            (f.feature, float(f.adoption * 100) if f.adoption is not None else None)
            for f in adoption[:8]
        ],
        title=gettext("Share of monthly active users who used each feature"),
        y_min=0,
        y_max=100,
    )
    return {
        "usage": now,
        "usage_trend": trend,
        "adoption": adoption,
        "adoption_chart": adoption_chart,
    }

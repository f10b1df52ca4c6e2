"""The usage roll-up: what the dashboards read instead of raw events.

:func:`roll_up` writes one :class:`UsageDay` per account and day, and one
:class:`FeatureUsageDay` per feature, for every account with activity in the 30 days to that day.
It counts distinct users in the database and upserts, so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from portal.figure_cache import inputs_changed

from ..models import FeatureUsageDay, UsageDay, UsageEvent

WEEK_DAYS = 7
MONTH_DAYS = 30


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
    had = list(
        _scope(FeatureUsageDay.objects.filter(day=day), account_ids).values_list(
            "pk", "account_id", "feature"
        )
    )
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
    stale = [pk for pk, account_id, feature in had if (account_id, feature) not in kept]
    if stale:
        FeatureUsageDay.objects.filter(pk__in=stale).delete()
    if stale or kept - {(account_id, feature) for _pk, account_id, feature in had}:
        # A feature's first or last usage: the features known
        # (adoption.figures.known_features) may have changed.
        inputs_changed()
    return len(usage)


def roll_up(account_ids: Iterable[int] | None, days: Iterable[date]) -> int:
    """Roll up ``days`` for ``account_ids`` (None: every account), a day at a time; the
    number of queries grows with the days, never with the accounts or events."""
    ids = None if account_ids is None else sorted(set(account_ids))
    return sum(roll_up_day(ids, day) for day in sorted(set(days)))


def days_back(today: date, count: int) -> list[date]:
    """``count`` days ending with ``today``."""
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]

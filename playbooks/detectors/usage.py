"""Signals about product usage, read from the daily roll-ups (:mod:`insights.figures.usage`):
weekly active users down, a feature unused, seats nearly full (the upsell trigger)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from insights.figures.usage import (
    feature_last_used,
    latest_activity_by_account,
    seat_use_percent,
    seat_use_reached,
    weekly_change,
)
from insights.models import UsageDay
from portal.formatting import rounded

from ..models import EventKind
from . import Candidate, detector, live_accounts, run_began, settings_of, today_of

WEEK = timedelta(days=7)


@detector(EventKind.USAGE_DROPPED)
def usage_dropped(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts whose weekly active users on their latest roll-up
    (:func:`insights.figures.usage.latest_activity`) are down ``percent`` or more on the WAU
    7 days before (:func:`insights.figures.usage.weekly_change`). Two queries.

    A fall shows for up to a week of daily comparisons; it is one occurrence, named by the
    day it began (:func:`run_began`): the source is the account, that day and the percent.
    """
    settings = settings_of(EventKind.USAGE_DROPPED, params)
    percent = int(settings["percent"])
    today = today_of(now)
    accounts = live_accounts()
    latest = latest_activity_by_account(accounts, today)
    history: dict[int, dict[date, int]] = {}
    rows = UsageDay.objects.filter(
        account__in=accounts.order_by().values("pk"), day__range=(today - 3 * WEEK, today)
    ).values_list("account_id", "day", "weekly_active_users")
    for account_id, day, wau in rows:
        history.setdefault(account_id, {})[day] = wau
    threshold = Decimal(-percent) / 100
    for account_id, activity in sorted(latest.items()):
        series = history.get(account_id, {})

        def down(day: date, series: dict[date, int] = series) -> bool:
            before, now_ = series.get(day - WEEK), series.get(day)
            if before is None or now_ is None:
                return False
            change = weekly_change(before, now_)
            return change is not None and change <= threshold

        began = run_began(activity.day, down)
        if began is None:
            continue
        before = series[activity.day - WEEK]
        change = weekly_change(before, activity.wau)
        assert change is not None
        yield Candidate(
            account_id,
            f"usage_drop:{account_id}:{began.isoformat()}:{percent}",
            {
                "params": settings,
                "wau": activity.wau,
                "wau_before": before,
                "percent_down": int(rounded(-change * 100)),
                "day": activity.day.isoformat(),
                "since": began.isoformat(),
            },
        )


@detector(EventKind.FEATURE_UNUSED)
def feature_unused(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Features an account has used, with no use in the last ``days`` days
    (:func:`insights.figures.usage.feature_last_used`): the one named in ``feature``, or any.
    One query.

    The portal knows a feature once the account has used it (no licence list is sent), so a
    feature never used is not found here. One candidate per account and feature; the source
    names the feature, its last day of use and the setting, so each quiet stretch is one
    event, and using it again then stopping is a second.
    """
    settings = settings_of(EventKind.FEATURE_UNUSED, params)
    days, wanted = int(settings["days"]), str(settings.get("feature") or "").strip()
    today = today_of(now)
    for (account_id, feature), last in sorted(feature_last_used(live_accounts()).items()):
        if wanted and feature.casefold() != wanted.casefold():
            continue
        unused = (today - last).days
        if unused < days:
            continue
        yield Candidate(
            account_id,
            f"feature_unused:{account_id}:{feature}:{last.isoformat()}:{wanted or '*'}:{days}"[
                :200
            ],
            {
                "params": settings,
                "feature": feature,
                "last_used": last.isoformat(),
                "days_unused": unused,
            },
        )


@detector(EventKind.SEATS_NEARLY_FULL)
def seats_nearly_full(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts whose seat use on their latest roll-up (monthly active users over the seats
    bought: :func:`insights.figures.usage.seat_use_percent`) is ``percent`` or more. Two
    queries.

    One event per crossing: the source names the last day seat use was below the threshold
    (:func:`insights.figures.usage.seat_use_reached`; "first" when it never was) and the
    percent, so staying full is one event, and falling below (or buying seats) then filling up
    again is another.
    """
    settings = settings_of(EventKind.SEATS_NEARLY_FULL, params)
    percent = int(settings["percent"])
    today = today_of(now)
    accounts = live_accounts()
    full = {}
    for account_id, activity in latest_activity_by_account(accounts, today).items():
        used = seat_use_percent(activity)
        if used is not None and used >= percent:
            full[account_id] = (activity, used)
    if not full:
        return
    below = seat_use_reached(accounts.filter(pk__in=list(full)), percent)
    for account_id, (activity, used) in sorted(full.items()):
        last_below = below.get(account_id)
        yield Candidate(
            account_id,
            f"seats:{account_id}:{percent}:{last_below.isoformat() if last_below else 'first'}",
            {
                "params": settings,
                "percent": used,
                "seats_used": activity.mau,
                "seats_bought": activity.licensed_seats,
                "day": activity.day.isoformat(),
            },
        )

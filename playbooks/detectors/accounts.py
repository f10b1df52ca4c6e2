"""Signals about the account itself: its renewal coming up, nobody logging in, a schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from accounts.figures import dark_since, last_seen_days

from ..models import EventKind
from . import Candidate, detector, live_accounts, settings_of, today_of


@detector(EventKind.RENEWAL_DUE)
def renewal_due(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts whose renewal date is today or within ``days`` days. One query.

    A window rather than "exactly N days out", so a scan that did not run one night still
    finds it the next; the source names the renewal date and the days, so it is one event per
    contract end and setting (a new renewal date is a new occurrence). A playbook enabled today
    fires for renewals already inside its window, with the real ``days_left`` in the data.
    """
    settings = settings_of(EventKind.RENEWAL_DUE, params)
    days = int(settings["days"])
    today = today_of(now)
    rows = (
        live_accounts()
        .filter(renewal_date__gte=today, renewal_date__lte=today + timedelta(days=days))
        .order_by("pk")
        .values_list("pk", "renewal_date")
    )
    for account_id, renewal_date in rows:
        assert renewal_date is not None  # filtered on it
        yield Candidate(
            account_id,
            f"renewal:{account_id}:{renewal_date.isoformat()}:{days}",
            {
                "params": settings,
                "renewal_date": renewal_date.isoformat(),
                "days_left": (renewal_date - today).days,
            },
        )


@detector(EventKind.NO_LOGIN)
def no_login(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts nobody has opened the portal of for ``days`` days or more
    (:func:`accounts.figures.days_dark`). Two queries.

    An account nobody ever opened counts from the day it was created. The source names the
    last day anyone was seen ("never" for none) and the days: one event per dark stretch and
    setting; someone logging in and the account going dark again is a new one.
    """
    settings = settings_of(EventKind.NO_LOGIN, params)
    days = int(settings["days"])
    today = today_of(now)
    accounts = live_accounts()
    last_seen = last_seen_days(accounts)
    for account_id, created_at in accounts.order_by("pk").values_list("pk", "created_at"):
        seen = last_seen.get(account_id)
        dark = dark_since(seen, today)
        if dark is None:
            dark = (today - today_of(created_at)).days
        if dark < days:
            continue
        yield Candidate(
            account_id,
            f"dark:{account_id}:{seen.isoformat() if seen else 'never'}:{days}",
            {
                "params": settings,
                "days_dark": dark,
                "last_login": seen.isoformat() if seen else None,
            },
        )


@detector(EventKind.SCHEDULE)
def schedule(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Every account, on the chosen weekday only. One query on that day, none on others.

    The source names the date, so each account has one event a week; two playbooks on the
    same weekday share it.
    """
    settings = settings_of(EventKind.SCHEDULE, params)
    today = today_of(now)
    if today.weekday() != int(settings["weekday"]):
        return
    for account_id in live_accounts().order_by("pk").values_list("pk", flat=True):
        yield Candidate(
            account_id,
            f"schedule:{account_id}:{today.isoformat()}",
            {"params": settings, "date": today.isoformat(), "weekday": today.strftime("%A")},
        )

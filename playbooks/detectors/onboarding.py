"""Signals about onboarding: stalled, and required tasks overdue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from onboarding.figures import COUNTED, stalled, unfinished_checklists
from onboarding.models import Task

from ..models import EventKind
from . import Candidate, detector, live_accounts, settings_of, today_of

# How many of an account's overdue tasks the event names (the count is always whole).
NAMED_TASKS = 5


@detector(EventKind.ONBOARDING_STALLED)
def onboarding_stalled(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Unfinished onboardings, kicked off, with no customer activity for ``days`` days or
    more: :func:`onboarding.figures.stalled`, the rule the reminders use. One query.

    The source names the day the customer was last active (or onboarding started) and the
    days: one event per quiet stretch and setting; the customer acting and the onboarding
    stalling again is a new one.
    """
    settings = settings_of(EventKind.ONBOARDING_STALLED, params)
    days = int(settings["days"])
    today = today_of(now)
    for idle in stalled(unfinished_checklists(today, live_accounts()), today, days):
        account_id = idle.checklist.account_id
        yield Candidate(
            account_id,
            f"stalled:{account_id}:{idle.since.isoformat()}:{days}",
            {
                "params": settings,
                "idle_days": idle.idle_days,
                "since": idle.since.isoformat(),
                "customer_active_before": idle.has_activity,
            },
        )


@detector(EventKind.ONBOARDING_TASK_OVERDUE)
def onboarding_task_overdue(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts with counted onboarding tasks (required and shared:
    :data:`onboarding.figures.COUNTED`) still open ``days`` days or more after their due
    date, in unfinished onboardings. One query.

    One candidate per account, not per task, so five tasks late together make one chase.
    The source names the latest due date among the account's tasks that late, and the days:
    a task newly crossing the line moves it (a new event); another finished leaves it (the
    same one). Only when the scan missed days and two tasks crossed at once can finishing
    the later one name an earlier date a second time.
    """
    settings = settings_of(EventKind.ONBOARDING_TASK_OVERDUE, params)
    days = int(settings["days"])
    today = today_of(now)
    rows = (
        Task.objects.open()
        .filter(
            COUNTED,
            checklist__completed_at__isnull=True,
            checklist__account__in=live_accounts().order_by().values("pk"),
            due_date__lte=today - timedelta(days=days),
        )
        .order_by("checklist__account_id", "due_date", "position", "pk")
        .values_list("checklist__account_id", "pk", "title", "due_date")
    )
    by_account: dict[int, list[tuple[int, str, date]]] = {}
    for account_id, task_id, title, due in rows:
        assert due is not None  # filtered on it
        by_account.setdefault(account_id, []).append((task_id, title, due))
    for account_id, tasks in by_account.items():
        latest_due = max(due for _, _, due in tasks)
        yield Candidate(
            account_id,
            f"task_overdue:{account_id}:{latest_due.isoformat()}:{days}",
            {
                "params": settings,
                "overdue_tasks": len(tasks),
                "days_overdue": (today - tasks[0][2]).days,  # the longest overdue
                "tasks": [
                    {"id": pk, "title": title, "due_date": due.isoformat()}
                    for pk, title, due in tasks[:NAMED_TASKS]
                ],
            },
        )

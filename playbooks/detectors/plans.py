"""Signals about success plans: a milestone missed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from successplans.figures import overdue_milestones
from successplans.models import Milestone

from ..models import EventKind
from . import Candidate, detector, live_accounts, settings_of, today_of


@detector(EventKind.MILESTONE_MISSED)
def milestone_missed(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Shared milestones marked missed or past their target date and not done
    (:func:`successplans.figures.overdue_milestones`, the plan health's rule; internal
    milestones are left out as the plan health leaves them out). One query.

    One candidate per milestone: the source names it and its target date, so a milestone is
    one event, and moving its date and missing it again is a second.
    """
    settings = settings_of(EventKind.MILESTONE_MISSED, params)
    today = today_of(now)
    rows = (
        Milestone.objects.filter(
            overdue_milestones(today),
            internal=False,
            plan__account__in=live_accounts().order_by().values("pk"),
        )
        .order_by("plan__account_id", "target_date", "pk")
        .values_list("plan__account_id", "pk", "title", "target_date", "plan__name")
    )
    for account_id, milestone_id, title, target_date, plan_name in rows:
        yield Candidate(
            account_id,
            f"milestone:{milestone_id}:{target_date.isoformat()}",
            {
                "params": settings,
                "milestone_id": milestone_id,
                "milestone": title,
                "plan": plan_name,
                "target_date": target_date.isoformat(),
                "days_late": max((today - target_date).days, 0),
            },
        )

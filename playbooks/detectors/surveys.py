"""Signals about surveys: a follow-up left unresolved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from surveys.models import FollowUp

from ..models import EventKind
from . import Candidate, detector, live_accounts, settings_of, today_of


@detector(EventKind.FOLLOW_UP_UNRESOLVED)
def follow_up_unresolved(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Survey follow-ups not resolved (open or contacted) ``days`` days or more after they
    were opened, counted in whole days. One query.

    One candidate per follow-up: the source names it and the days, so each follow-up is one
    event per setting however long it stays open. The data carries the response (its
    comment and person are merge fields) and its score.
    """
    settings = settings_of(EventKind.FOLLOW_UP_UNRESOLVED, params)
    days = int(settings["days"])
    today = today_of(now)
    # Opened on or before today - days, in local days.
    opened_by = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    rows = (
        FollowUp.objects.exclude(status=FollowUp.Status.RESOLVED)
        .filter(
            created_at__lt=opened_by,
            account__in=live_accounts().order_by().values("pk"),
        )
        .order_by("account_id", "created_at", "pk")
        .values_list(
            "account_id",
            "pk",
            "status",
            "created_at",
            "response_id",
            "response__user_id",
            "response__kind",
            "response__score",
        )
    )
    for account_id, pk, status, created_at, response_id, user_id, kind, score in rows:
        yield Candidate(
            account_id,
            f"follow_up:{pk}:{days}",
            {
                "params": settings,
                "follow_up_id": pk,
                "status": status,
                "opened_on": today_of(created_at).isoformat(),
                "days_open": (today - today_of(created_at)).days,
                "response_id": response_id,
                "user_id": user_id,
                "survey_kind": kind,
                "score": score,
            },
        )

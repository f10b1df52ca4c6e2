"""Recording what happened to an account, once per kind and source."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account

from ..models import Event, EventKind


def record_event(
    kind: str, *, account_id: int, source: str, data: dict[str, Any], occurred_at: str
) -> Event | None:
    """Store the event once (kind and source are unique); None if its account is gone."""
    if not Account.objects.filter(pk=account_id).exists():
        return None
    when = parse_datetime(occurred_at) if occurred_at else None
    event, _ = Event.objects.get_or_create(
        kind=kind,
        source=source,
        defaults={"account_id": account_id, "data": data, "occurred_at": when or timezone.now()},
    )
    return event


def health_band_event(account_id: int, day: date, band: str, score: int) -> Event | None:
    """A health score saved for ``day``: an event if its band differs from the score before."""
    from insights.models import HealthScore

    previous = (
        HealthScore.objects.filter(account_id=account_id, day__lt=day)
        .order_by("-day")
        .values("band", "score", "day")
        .first()
    )
    if previous is None or previous["band"] == band:
        return None
    return record_event(
        EventKind.HEALTH_BAND_CHANGED,
        account_id=account_id,
        source=f"health:{account_id}:{day.isoformat()}",
        data={
            "from_band": previous["band"],
            "to_band": band,
            "from_score": previous["score"],
            "to_score": score,
            "day": day.isoformat(),
        },
        occurred_at=timezone.now().isoformat(),
    )


def person_left_events(user_id: int, deactivated_at: str) -> list[Event]:
    """A deactivated person: one event per account where they were champion or executive."""
    from accounts.models import Membership

    from ..signals import LEAVING_ROLES

    events = []
    for membership in Membership.objects.filter(user_id=user_id, role__in=list(LEAVING_ROLES)):
        event = record_event(
            LEAVING_ROLES[membership.role],
            account_id=membership.account_id,
            source=f"user:{user_id}:deactivated:{deactivated_at}:account:{membership.account_id}",
            data={"user_id": user_id, "role": membership.role, "how": "deactivated"},
            occurred_at=deactivated_at,
        )
        if event is not None:
            events.append(event)
    return events

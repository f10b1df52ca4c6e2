"""Figures about accounts and their people: portal engagement.

One function a figure, each one query whatever the number of people; pages, the 360°, the
profile and (later) playbooks and the health score call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from .models import Account, PortalVisit, User

RECENT_DAYS = 30
LONGER_DAYS = 90


@dataclass(frozen=True)
class Engagement:
    """One person's use of one account's portal."""

    last_seen: datetime | None
    visits_30: int  # days with a visit in the last 30 days, today included
    visits_90: int
    page_views_30: int
    page_views_90: int
    logins_30: int


NEVER = Engagement(
    last_seen=None, visits_30=0, visits_90=0, page_views_30=0, page_views_90=0, logins_30=0
)


def _since(today: date, days: int) -> date:
    return today - timedelta(days=days - 1)


def _engagement_annotations(today: date) -> dict[str, Any]:
    recent = Q(day__gte=_since(today, RECENT_DAYS))
    longer = Q(day__gte=_since(today, LONGER_DAYS))
    return {
        "last_seen": Max("last_seen_at"),
        "visits_30": Count("day", filter=recent),
        "visits_90": Count("day", filter=longer),
        "page_views_30": Sum("page_views", filter=recent, default=0),
        "page_views_90": Sum("page_views", filter=longer, default=0),
        "logins_30": Sum("logins", filter=recent, default=0),
    }


def _engagement(row: dict[str, Any]) -> Engagement:
    return Engagement(**{field: row[field] for field in Engagement.__dataclass_fields__})


def people_engagement(account: Account, today: date | None = None) -> dict[int, Engagement]:
    """Each person's engagement with ``account``'s portal, by user id (people never seen are
    missing: use :data:`NEVER`). One query."""
    today = today or timezone.localdate()
    rows = (
        PortalVisit.objects.filter(account=account)
        .order_by()
        .values("user_id")
        .annotate(**_engagement_annotations(today))
    )
    return {row["user_id"]: _engagement(row) for row in rows}


def own_engagement(user: User, today: date | None = None) -> list[tuple[str, Engagement]]:
    """What is recorded about ``user``, per account name (their profile shows it). One query."""
    today = today or timezone.localdate()
    rows = (
        PortalVisit.objects.filter(user=user)
        .order_by()
        .values("account_id", "account__name")
        .annotate(**_engagement_annotations(today))
        .order_by("account__name")
    )
    return [(row["account__name"], _engagement(row)) for row in rows]


def dark_since(last_seen: date | None, today: date) -> int | None:
    """Days from the last day anyone opened the portal to ``today`` (0: today); None when
    nobody ever has. The one rule behind :func:`days_dark` and :func:`last_seen_days`."""
    return None if last_seen is None else (today - last_seen).days


def with_last_seen(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated with ``last_seen``: when anyone at the customer last opened the
    portal (None: nobody ever has), the figure :func:`people_engagement` gives per person.
    A subquery, so a page of accounts costs no more queries than one."""
    latest = PortalVisit.objects.filter(account=OuterRef("pk")).order_by("-last_seen_at")
    return accounts.annotate(last_seen=Subquery(latest.values("last_seen_at")[:1]))


def days_dark(account: Account, today: date | None = None) -> int | None:
    """Days since anyone at ``account`` last opened its portal (0: today); None when nobody
    ever has. One query."""
    today = today or timezone.localdate()
    last = PortalVisit.objects.filter(account=account).aggregate(last=Max("day"))["last"]
    return dark_since(last, today)


def last_seen_days(accounts: QuerySet[Account]) -> dict[int, date]:
    """The last day anyone at each of ``accounts`` opened its portal, by account id (accounts
    nobody ever opened are missing); :func:`dark_since` turns it into :func:`days_dark`.
    One query, whatever the number of accounts."""
    rows = (
        PortalVisit.objects.filter(account__in=accounts.order_by().values("pk"))
        .order_by()
        .values("account_id")
        .annotate(last=Max("day"))
        .values_list("account_id", "last")
    )
    return dict(rows)


def active_people(account: Account, days: int = RECENT_DAYS, today: date | None = None) -> int:
    """How many of ``account``'s people opened its portal in the last ``days`` days. One query."""
    today = today or timezone.localdate()
    return (
        PortalVisit.objects.filter(account=account, day__gte=_since(today, days))
        .values("user_id")
        .distinct()
        .count()
    )

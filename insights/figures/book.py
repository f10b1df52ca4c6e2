"""The CSM's book of business: revenue, health and what needs attention, in a fixed number of
queries however large the portfolio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Account, Activity, Segment, Stage

from ..models import HealthBand, HealthScore
from .revenue import (
    Period,
    Snapshot,
    period_and_segments,
    snapshot,
    snapshot_by_segment,
    year_before,
)
from .usage import last_active_day

QUIET_AFTER_DAYS = 14


def with_health(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated with their latest health score and band."""
    latest = HealthScore.objects.filter(account=OuterRef("pk")).order_by("-day")
    return accounts.annotate(
        health_score=Subquery(latest.values("score")[:1]),
        health_band=Subquery(latest.values("band")[:1]),
    )


def with_last_customer_activity(accounts: QuerySet[Account]) -> QuerySet[Account]:
    latest = Activity.objects.filter(account=OuterRef("pk"), actor__vendor_role="").order_by(
        "-created_at"
    )
    return accounts.annotate(last_customer_activity=Subquery(latest.values("created_at")[:1]))


@dataclass
class Book:
    today: date
    start: date
    revenue_now: Snapshot
    revenue_period: Period
    bands: dict[str, int]
    unscored: int
    renewals: dict[int, list[Any]]  # 30, 60, 90 days -> accounts renewing in that window
    at_risk: list[Any]
    quiet: list[Any]
    total: int
    segments: list[tuple[str, Snapshot, Period]]


def book_of_business(
    accounts: QuerySet[Account], *, start: date, today: date | None = None
) -> Book:
    today = today or timezone.localdate()
    rows: list[Any] = list(  # accounts annotated with health and last activity
        with_last_customer_activity(with_health(accounts.exclude(stage=Stage.CHURNED)))
        .select_related("owner")
        .order_by("renewal_date", "name")
    )
    bands = dict.fromkeys(HealthBand.values, 0)
    for account in rows:
        if account.health_band:
            bands[account.health_band] += 1
    renewals: dict[int, list[Any]] = {30: [], 60: [], 90: []}
    for account in rows:
        days = (account.renewal_date - today).days if account.renewal_date else None
        if days is not None and 0 <= days <= 90:
            renewals[next(w for w in (30, 60, 90) if days <= w)].append(account)
    quiet_since = timezone.now() - timedelta(days=QUIET_AFTER_DAYS)
    whole_period, by_period = period_and_segments(accounts, start, today)
    product_days = last_active_day(accounts)
    return Book(
        today=today,
        start=start,
        revenue_now=snapshot(accounts, today),
        revenue_period=whole_period,
        bands=bands,
        unscored=sum(1 for a in rows if not a.health_band),
        renewals=renewals,
        at_risk=sorted(
            (a for a in rows if a.health_band in (HealthBand.CRITICAL, HealthBand.AT_RISK)),
            key=lambda a: (a.health_score or 0, a.name),
        ),
        quiet=[a for a in rows if is_quiet(a, product_days.get(a.pk), quiet_since)],
        total=len(rows),
        segments=[
            (Segment(key).label, now, by_period.get(key) or Period(start=start, end=today))
            for key, now in sorted(snapshot_by_segment(accounts, today).items())
        ],
    )


def is_quiet(account: Any, last_product_day: date | None, since: datetime) -> bool:
    """Quiet: nobody at the customer used the product or the portal since ``since``."""
    portal = account.last_customer_activity
    product = last_product_day is not None and last_product_day >= since.date()
    return not product and (portal is None or portal < since)


PERIODS = {
    "quarter": "This quarter",
    "year": "Last 12 months",
    "ytd": "This year",
}


def period_start(key: str, today: date) -> date:
    if key == "year":
        return year_before(today)
    if key == "ytd":
        return today.replace(month=1, day=1)
    return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)

"""The CSM's book of business: revenue, health and what needs attention, in a fixed number of
queries however large the portfolio.

At 10,000 accounts (the CS admin's book) the figures cost a second of the database's time, so
they are computed once and kept by :mod:`portal.figure_cache` until the day ends or a
contract, health score or account changes (``insights.figure_inputs`` bumps the version); the
page says when they were computed ("as of HH:MM"). Two parts are kept apart, so that another
period costs only its revenue: the accounts' health and attention lists, and the revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Account, Activity, Segment, Stage
from portal.figure_cache import cached_figure

from ..models import HealthBand, HealthScore, UsageDay
from .revenue import (
    Period,
    Snapshot,
    period_and_segments,
    snapshot,
    snapshot_by_segment,
    year_before,
)

QUIET_AFTER_DAYS = 14
SHOWN = 10  # rows of each list on the page; the rest are counted
ATTENTION_BANDS = (HealthBand.CRITICAL, HealthBand.AT_RISK)
RENEWAL_WINDOWS = (30, 60, 90)


def with_health(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated with their latest health score and band."""
    latest = HealthScore.objects.filter(account=OuterRef("pk")).order_by("-day")
    return accounts.annotate(
        health_score=Subquery(latest.values("score")[:1]),
        health_band=Subquery(latest.values("band")[:1]),
    )


def customer_activity(since: datetime | None = None) -> QuerySet[Activity]:
    """What the account's customers did (vendor staff's actions are not theirs), since
    ``since`` when given; correlated with the account of the outer query."""
    activity = Activity.objects.filter(account=OuterRef("pk"), actor__vendor_role="")
    return activity if since is None else activity.filter(created_at__gte=since)


def with_last_customer_activity(accounts: QuerySet[Account]) -> QuerySet[Account]:
    latest = customer_activity().order_by("-created_at")
    return accounts.annotate(last_customer_activity=Subquery(latest.values("created_at")[:1]))


def with_quiet(accounts: QuerySet[Account], since: datetime) -> QuerySet[Account]:
    """Accounts annotated with whether their customers used the product (an active user in
    the roll-ups) and the portal (an activity of theirs) since ``since``: an account with
    neither is quiet. Two index look-ups an account, not the last day of each."""
    product = UsageDay.objects.filter(
        account=OuterRef("pk"), active_users__gt=0, day__gte=since.date()
    )
    return accounts.annotate(
        used_product=Exists(product), used_portal=Exists(customer_activity(since))
    )


@dataclass(frozen=True)
class Listing:
    """The first :data:`SHOWN` rows of a list, and how many it holds in all."""

    rows: list[Any]
    total: int


@dataclass(frozen=True)
class Attention:
    """The accounts' part of the book: health bands and the lists that need attention."""

    bands: dict[str, int]
    unscored: int
    renewals: dict[int, Listing]  # 30, 60, 90 days -> accounts renewing in that window
    at_risk: Listing
    quiet: Listing
    total: int


@dataclass(frozen=True)
class Revenue:
    now: Snapshot
    period: Period
    segments: list[tuple[str, Snapshot, Period]]


@dataclass
class Book:
    today: date
    start: date
    revenue_now: Snapshot
    revenue_period: Period
    bands: dict[str, int]
    unscored: int
    renewals: dict[int, Listing]
    at_risk: Listing
    quiet: Listing
    total: int
    segments: list[tuple[str, Snapshot, Period]]
    as_of: datetime  # when the oldest of its figures was computed


def attention(accounts: QuerySet[Account], today: date, now: datetime) -> Attention:
    """Bands, renewals, at-risk and quiet accounts of the accounts not churned, in two
    queries: one pass over every account that reads a few columns (no model instances), then
    the shown rows in full."""
    since = now - timedelta(days=QUIET_AFTER_DAYS)
    # Annotated in helpers the type checker cannot follow: their names are checked by the tests.
    annotated: QuerySet[Any] = with_quiet(with_health(accounts.exclude(stage=Stage.CHURNED)), since)
    rows = annotated.order_by("renewal_date", "name").values_list(
        "pk",
        "name",
        "renewal_date",
        "health_score",
        "health_band",
        "used_product",
        "used_portal",
    )
    bands = dict.fromkeys(HealthBand.values, 0)
    unscored = total = 0
    renewing: dict[int, list[int]] = {window: [] for window in RENEWAL_WINDOWS}
    risky: list[tuple[int, str, int]] = []
    quiet: list[int] = []
    for pk, name, renewal_date, score, band, used_product, used_portal in rows:
        total += 1
        if band:
            bands[band] += 1
        else:
            unscored += 1
        if renewal_date is not None:
            days = (renewal_date - today).days
            if 0 <= days <= RENEWAL_WINDOWS[-1]:
                renewing[next(w for w in RENEWAL_WINDOWS if days <= w)].append(pk)
        if band in ATTENTION_BANDS:
            risky.append((score or 0, name, pk))
        if not used_product and not used_portal:
            quiet.append(pk)
    risky.sort(key=lambda r: (r[0], r[1]))
    at_risk = [pk for _, _, pk in risky]
    shown_ids = {
        *(pk for ids in renewing.values() for pk in ids[:SHOWN]),
        *at_risk[:SHOWN],
        *quiet[:SHOWN],
    }
    shown = (
        {
            account.pk: account
            for account in with_last_customer_activity(
                with_health(accounts.filter(pk__in=shown_ids))
            ).select_related("owner")
        }
        if shown_ids
        else {}
    )

    def listing(ids: list[int]) -> Listing:
        return Listing(rows=[shown[pk] for pk in ids[:SHOWN]], total=len(ids))

    return Attention(
        bands=bands,
        unscored=unscored,
        renewals={window: listing(ids) for window, ids in renewing.items()},
        at_risk=listing(at_risk),
        quiet=listing(quiet),
        total=total,
    )


def revenue(accounts: QuerySet[Account], start: date, today: date) -> Revenue:
    """Revenue today, over the period and by segment (four queries)."""
    whole_period, by_period = period_and_segments(accounts, start, today)
    return Revenue(
        now=snapshot(accounts, today),
        period=whole_period,
        segments=[
            (key, now, by_period.get(key) or Period(start=start, end=today))
            for key, now in sorted(snapshot_by_segment(accounts, today).items())
        ],
    )


def scope_of(accounts: QuerySet[Account]) -> str:
    """What identifies a set of accounts in a cache key: its SQL (a CSM's book, every
    account, one CSM's picked by the CS admin...)."""
    try:
        return str(accounts.query)
    except EmptyResultSet:
        return "none"


def book_of_business(
    accounts: QuerySet[Account], *, start: date, today: date | None = None
) -> Book:
    """The book of ``accounts`` for the period from ``start``, from the figure cache (see the
    module's docstring)."""
    today = today or timezone.localdate()
    scope = scope_of(accounts)
    parts = cached_figure(
        "book-attention", [scope, today], lambda: attention(accounts, today, timezone.now())
    )
    money = cached_figure(
        "book-revenue", [scope, start, today], lambda: revenue(accounts, start, today)
    )
    return Book(
        today=today,
        start=start,
        revenue_now=money.value.now,
        revenue_period=money.value.period,
        bands=parts.value.bands,
        unscored=parts.value.unscored,
        renewals=parts.value.renewals,
        at_risk=parts.value.at_risk,
        quiet=parts.value.quiet,
        total=parts.value.total,
        # Cached with the segment's key; its label is in the reader's language.
        segments=[(Segment(key).label, now, rev) for key, now, rev in money.value.segments],
        as_of=min(parts.computed_at, money.computed_at),
    )


PERIODS = {
    "quarter": gettext_lazy("This quarter"),
    "year": gettext_lazy("Last 12 months"),
    "ytd": gettext_lazy("This year"),
}


def period_start(key: str, today: date) -> date:
    if key == "year":
        return year_before(today)
    if key == "ytd":
        return today.replace(month=1, day=1)
    return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)

"""Comment sentiment figures, one definition each, for the 360° page and the health score.

- average: the mean VADER compound (-1..1) of the account's English comments written in the
  window; unknown-language comments are counted, never averaged. None with no scored comment.
- trend: that average per calendar month over the last ``TREND_DAYS`` days (a month with no
  scored comment is a gap, never a zero), the counts of each label in the window, and the
  latest negative comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Account
from portal import formatting
from portal.charts import Chart, bar_chart

from .models import CommentSentiment, CommentSentimentQuerySet, Label, SourceKind

TREND_DAYS = 180
LATEST_NEGATIVE = 5


@dataclass(frozen=True)
class Average:
    value: float | None
    scored: int  # comments with a score


@dataclass(frozen=True)
class MonthAverage:
    month: date  # its first day
    average: float | None
    scored: int


@dataclass(frozen=True)
class SentimentTrend:
    since: date
    months: list[MonthAverage]
    counts: dict[str, int]  # label -> comments, every label present
    average: Average
    latest_negative: list[tuple[CommentSentiment, str]] = field(default_factory=list)
    chart: Chart | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def window(day: date, days: int) -> tuple[datetime, datetime]:
    """[start, end) of the ``days`` days ending with ``day`` (inclusive), in local time."""
    until = timezone.make_aware(datetime.combine(day + timedelta(1), time.min))
    return until - timedelta(days), until


def _written(account: Account, day: date, days: int) -> CommentSentimentQuerySet:
    since, until = window(day, days)
    return CommentSentiment.objects.for_account(account).filter(
        written_at__gte=since, written_at__lt=until
    )


def average(account: Account, day: date, days: int = TREND_DAYS) -> Average:
    row = _written(account, day, days).scored().aggregate(avg=Avg("compound"), n=Count("pk"))
    return Average(row["avg"], row["n"])


def _month_starts(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _as_date(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def trend(account: Account, day: date, days: int = TREND_DAYS) -> SentimentTrend:
    """Four queries whatever the number of comments."""
    rows = _written(account, day, days)
    since = window(day, days)[0]
    by_month = {
        _as_date(r["month"]): (r["avg"], r["n"])
        for r in rows.scored()
        .annotate(month=TruncMonth("written_at"))
        .values("month")
        .annotate(avg=Avg("compound"), n=Count("pk"))
        .order_by("month")
    }
    months = [
        MonthAverage(m, *by_month.get(m, (None, 0)))
        for m in _month_starts(timezone.localtime(since).date(), day)
    ]
    counts = dict.fromkeys(Label.values, 0)
    for r in rows.values("label").annotate(n=Count("pk")).order_by():
        counts[r["label"]] = r["n"]
    overall = average(account, day, days)
    negative = [
        (row, page_url(row, account))
        for row in rows.filter(label=Label.NEGATIVE).select_related("author")[:LATEST_NEGATIVE]
    ]
    chart = None
    if overall.scored:
        # Bars from zero: a month below zero shows in the warning colour, an empty month as a
        # gap ("-"), where a line would leave lone dots between the gaps.
        chart = bar_chart(
            [(formatting.month_label(m.month), m.average) for m in months],
            title=gettext("Average sentiment of comments, month by month"),
            y_min=-1,
            y_max=1,
            decimals=2,
        )
    return SentimentTrend(
        since=timezone.localtime(since).date(),
        months=months,
        counts=counts,
        average=overall,
        latest_negative=negative,
        chart=chart,
    )


def page_url(row: CommentSentiment, account: Account) -> str:
    """The page the comment sits on: the survey campaign, the plan or the onboarding task."""
    if row.source_kind == SourceKind.SURVEY_RESPONSE:
        return reverse("survey_campaign", args=[row.parent_id])
    name = "plan" if row.source_kind == SourceKind.PLAN_COMMENT else "onboarding_task"
    return reverse(name, args=[account.slug, row.parent_id])

"""The figures of the results page, all aggregated in the database.

Every response and delivery reaches the page through :func:`visible_responses` /
:func:`visible_deliveries`, which apply the tenancy rule (``Account.objects.visible_to``): a
CSM sees their portfolio's answers only. The page runs a fixed number of queries whatever the
number of responses: one aggregate per figure group, and one page of comments.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from accounts.models import Account, Segment, User
from portal.charts import Chart, bar_chart

from .models import Delivery, Kind, Response, band_filter, band_of
from .scoring import AGGREGATES, Summary, summarize

COMMENTS_PER_PAGE = 20
TOP_ACCOUNTS = 15


def visible_responses(user: User) -> QuerySet[Response]:
    return Response.objects.filter(account__in=Account.objects.visible_to(user))


def visible_deliveries(user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(account__in=Account.objects.visible_to(user))


def since(period: str, now: datetime | None = None) -> datetime | None:
    if period == "all":
        return None
    return (now or timezone.now()) - timedelta(days=int(period))


def filter_responses(responses: QuerySet[Response], f: dict[str, Any]) -> QuerySet[Response]:
    if f["campaign"] is not None:
        responses = responses.filter(campaign=f["campaign"])
    if f["account"] is not None:
        responses = responses.filter(account=f["account"])
    if f["segment"]:
        responses = responses.filter(account__segment=f["segment"])
    start = since(f["period"])
    if start is not None:
        responses = responses.filter(answered_at__gte=start)
    return responses


def filter_deliveries(deliveries: QuerySet[Delivery], f: dict[str, Any]) -> QuerySet[Delivery]:
    if f["campaign"] is not None:
        deliveries = deliveries.filter(campaign=f["campaign"])
    else:
        deliveries = deliveries.filter(campaign__survey__kind=f["kind"])
    if f["account"] is not None:
        deliveries = deliveries.filter(account=f["account"])
    if f["segment"]:
        deliveries = deliveries.filter(account__segment=f["segment"])
    start = since(f["period"])
    if start is not None:
        deliveries = deliveries.filter(created_at__gte=start)
    return deliveries


@dataclass(frozen=True)
class Rate:
    asked: int
    answered: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class Row:
    label: str
    summary: Summary
    slug: str = ""


@dataclass(frozen=True)
class Results:
    filters: dict[str, Any]
    summary: Summary
    rate: Rate
    chart: Chart
    by_segment: list[Row]
    by_campaign: list[Row]
    by_account: list[Row]
    comments: Page[Any]


def rate_for(deliveries: QuerySet[Delivery]) -> Rate:
    row = deliveries.order_by().aggregate(asked=Count("pk"), answered=Count("response"))
    return Rate(row["asked"], row["answered"])


def periods_between(start: date, end: date, interval: str) -> list[date]:
    """The first day of every month (or quarter) from ``start``'s to ``end``'s."""
    step = 3 if interval == "quarter" else 1
    month = (start.month - 1) // step * step + 1
    current = date(start.year, month, 1)
    out = []
    while current <= end:
        out.append(current)
        month = current.month - 1 + step
        current = date(current.year + month // 12, month % 12 + 1, 1)
    return out


def period_label(day: date, interval: str) -> str:
    if interval == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return day.strftime("%b %Y")


def figure(summary: Summary, kind: str) -> float | None:
    return summary.of(kind).score


def trend(responses: QuerySet[Response], f: dict[str, Any]) -> Chart:
    """The chosen kind's figure per month or quarter, as a chart (one query)."""
    kind, interval = f["kind"], f["interval"]
    trunc = TruncQuarter if interval == "quarter" else TruncMonth
    rows = (
        responses.filter(kind=kind)
        .annotate(bucket=trunc("answered_at"))
        .order_by()
        .values("bucket")
        .annotate(**AGGREGATES)
        .order_by("bucket")
    )
    by_period: dict[date, Summary] = {}
    for row in rows:
        bucket = row["bucket"]
        day = bucket.date() if isinstance(bucket, datetime) else bucket
        by_period[day] = Summary.from_row(row)
    today = timezone.localdate()
    start = since(f["period"])
    first = (
        timezone.localdate(start) if start is not None else (min(by_period) if by_period else today)
    )
    points = [
        (
            period_label(day, interval),
            figure(by_period[day], kind) if day in by_period else None,
            by_period[day].of(kind).responses if day in by_period else 0,
        )
        for day in periods_between(first, today, interval)
    ]
    label = {Kind.NPS: "NPS", Kind.CSAT: "CSAT (% satisfied)", Kind.CES: "CES (mean, 1–7)"}[kind]
    bounds = {Kind.NPS: (-100.0, 100.0), Kind.CSAT: (0.0, 100.0), Kind.CES: (1.0, 7.0)}[kind]
    return bar_chart(
        [(name, value) for name, value, _ in points],
        title=f"{label} {'by quarter' if interval == 'quarter' else 'by month'}",
        y_min=bounds[0],
        y_max=bounds[1],
        decimals=1 if kind == Kind.CES else 0,
        counts=[n for _, _, n in points],
    )


def grouped(responses: QuerySet[Response], *fields: str) -> list[dict[str, Any]]:
    return list(responses.order_by().values(*fields).annotate(n=Count("pk"), **AGGREGATES))


def results_for(user: User, f: dict[str, Any], page_number: Any = 1) -> Results:
    responses = filter_responses(visible_responses(user), f)
    of_kind = responses.filter(kind=f["kind"])
    segments = dict(Segment.choices)
    by_segment = [
        Row(segments.get(row["account__segment"], row["account__segment"]), Summary.from_row(row))
        for row in sorted(grouped(of_kind, "account__segment"), key=lambda r: r["account__segment"])
    ]
    by_campaign = [
        Row(row["campaign__name"], Summary.from_row(row))
        for row in sorted(
            grouped(of_kind, "campaign__name", "campaign_id"), key=lambda r: -r["campaign_id"]
        )[:TOP_ACCOUNTS]
    ]
    by_account = [
        Row(row["account__name"], Summary.from_row(row), slug=row["account__slug"])
        for row in sorted(
            grouped(of_kind, "account__name", "account__slug"),
            key=lambda r: (-r["n"], r["account__name"]),
        )[:TOP_ACCOUNTS]
    ]
    comments = of_kind.exclude(comment="")
    if f["band"]:
        comments = comments.filter(band_filter("kind", "score", f["band"]))
    comments = comments.select_related("account", "user", "campaign").order_by(
        "-answered_at", "-pk"
    )
    return Results(
        filters=f,
        summary=summarize(responses),
        rate=rate_for(filter_deliveries(visible_deliveries(user), f)),
        chart=trend(responses, f),
        by_segment=by_segment,
        by_campaign=by_campaign,
        by_account=by_account,
        comments=Paginator(comments, COMMENTS_PER_PAGE).get_page(page_number),
    )


class Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "answered_at",
    "campaign",
    "survey_type",
    "score",
    "band",
    "comment",
    "account",
    "segment",
    "respondent",
    "channel",
]


def export_rows(user: User, f: dict[str, Any]) -> Iterator[str]:
    """Every visible, filtered response as CSV lines, read from the database in chunks."""
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEADER)
    responses = filter_responses(visible_responses(user), f)
    responses = responses.filter(kind=f["kind"])
    if f["band"]:
        responses = responses.filter(band_filter("kind", "score", f["band"]))
    rows = responses.order_by("answered_at", "pk").values_list(
        "answered_at",
        "campaign__name",
        "kind",
        "score",
        "comment",
        "account__name",
        "account__segment",
        "user__email",
        "channel",
    )
    for (
        answered_at,
        campaign,
        kind,
        score,
        comment,
        account,
        segment,
        email,
        channel,
    ) in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(answered_at).isoformat(timespec="seconds"),
                campaign,
                kind,
                score,
                band_of(kind, score),
                _safe_cell(comment),
                _safe_cell(account),
                segment,
                email,
                channel,
            ]
        )


def _safe_cell(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

"""Every survey figure, computed in the database (DESIGN.md, "Figures").

- NPS (0-10): % promoters (9-10) - % detractors (0-6), from -100 to +100.
- CSAT (1-5): % of answers that are 4 or 5.
- CES (1-7): the mean, and % of answers 5-7 ("found it easy").
- Response rate: % of the people asked who answered.

Each figure is defined once, here: its aggregates and its formula. :func:`nps`, :func:`csat`,
:func:`ces` and :func:`response_rate` compute one figure in one query; :func:`summarize` gives
NPS, CSAT and CES together in one query (:data:`AGGREGATES` also works per group, in
``.annotate()``). Pages, panels, e-mails, the API, PDFs and the health score all call these.
Nothing is rounded here: a figure is rounded once, where it is shown (``portal.formatting``).
An empty set has no figure (None, shown as "no responses"), never a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from typing_extensions import TypedDict

from accounts.models import Account, Segment, User
from portal import formatting
from portal.charts import Chart, bar_chart
from portal.formatting import rounded, share

from .models import Campaign, Delivery, Kind, Response, ResponseQuerySet

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

# "Last 12 months": the results page's default period, the account panel's and the API's.
RESULTS_DAYS = 365
TOP_ROWS = 15


def _percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (portal.formatting.share, as a float for the
    charts); None (no data) when ``whole`` is zero."""
    value = share(part, whole)
    return None if value is None else float(value)


# NPS ---------------------------------------------------------------------------------------

NPS_AGGREGATES: dict[str, Any] = {
    "nps_n": Count("pk", filter=Q(kind=Kind.NPS)),
    "nps_promoters": Count("pk", filter=Q(kind=Kind.NPS, score__gte=9)),
    "nps_detractors": Count("pk", filter=Q(kind=Kind.NPS, score__lte=6)),
}


@dataclass(frozen=True)
class NPS:
    responses: int
    promoters: int
    detractors: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> NPS:
        return cls(row["nps_n"], row["nps_promoters"], row["nps_detractors"])

    @property
    def passives(self) -> int:
        return self.responses - self.promoters - self.detractors

    @property
    def promoters_percent(self) -> float | None:
        return _percent(self.promoters, self.responses)

    @property
    def passives_percent(self) -> float | None:
        return _percent(self.passives, self.responses)

    @property
    def detractors_percent(self) -> float | None:
        return _percent(self.detractors, self.responses)

    @property
    def score(self) -> float | None:
        """From -100 to +100; None with no responses."""
        return _percent(self.promoters - self.detractors, self.responses)


def nps(responses: QuerySet[Response]) -> NPS:
    """The NPS of ``responses`` (other kinds are ignored), in one query."""
    return NPS.from_row(responses.order_by().aggregate(**NPS_AGGREGATES))


# CSAT --------------------------------------------------------------------------------------

CSAT_AGGREGATES: dict[str, Any] = {
    "csat_n": Count("pk", filter=Q(kind=Kind.CSAT)),
    "csat_satisfied": Count("pk", filter=Q(kind=Kind.CSAT, score__gte=4)),
}


@dataclass(frozen=True)
class CSAT:
    responses: int
    satisfied: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CSAT:
        return cls(row["csat_n"], row["csat_satisfied"])

    @property
    def score(self) -> float | None:
        """% of answers 4 or 5; None with no responses."""
        return _percent(self.satisfied, self.responses)


def csat(responses: QuerySet[Response]) -> CSAT:
    return CSAT.from_row(responses.order_by().aggregate(**CSAT_AGGREGATES))


# CES ---------------------------------------------------------------------------------------

CES_AGGREGATES: dict[str, Any] = {
    "ces_n": Count("pk", filter=Q(kind=Kind.CES)),
    "ces_easy": Count("pk", filter=Q(kind=Kind.CES, score__gte=5)),
    "ces_mean": Avg("score", filter=Q(kind=Kind.CES)),
}


@dataclass(frozen=True)
class CES:
    responses: int
    easy: int
    mean: float | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CES:
        mean = row["ces_mean"]
        return cls(row["ces_n"], row["ces_easy"], float(mean) if mean is not None else None)

    @property
    def easy_percent(self) -> float | None:
        """% of answers 5-7 ("found it easy"); None with no responses."""
        return _percent(self.easy, self.responses)

    @property
    def score(self) -> float | None:
        """The mean, 1-7; None with no responses."""
        return self.mean if self.responses else None


def ces(responses: QuerySet[Response]) -> CES:
    return CES.from_row(responses.order_by().aggregate(**CES_AGGREGATES))


# All three at once -------------------------------------------------------------------------

AGGREGATES: dict[str, Any] = {**NPS_AGGREGATES, **CSAT_AGGREGATES, **CES_AGGREGATES}


@dataclass(frozen=True)
class Summary:
    nps: NPS
    csat: CSAT
    ces: CES

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Summary:
        """From a row holding :data:`AGGREGATES` (an ``aggregate()`` or an ``annotate()``)."""
        return cls(nps=NPS.from_row(row), csat=CSAT.from_row(row), ces=CES.from_row(row))

    @property
    def responses(self) -> int:
        return self.nps.responses + self.csat.responses + self.ces.responses

    def of(self, kind: str) -> NPS | CSAT | CES:
        figures: dict[str, NPS | CSAT | CES] = {
            Kind.NPS: self.nps,
            Kind.CSAT: self.csat,
            Kind.CES: self.ces,
        }
        return figures[Kind(kind)]


def summarize(responses: QuerySet[Response]) -> Summary:
    """NPS, CSAT and CES of ``responses`` in one query."""
    return Summary.from_row(responses.order_by().aggregate(**AGGREGATES))


# Response rate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    asked: int
    answered: int

    @property
    def percent(self) -> float | None:
        """% of the people asked who answered; None when nobody was asked."""
        return _percent(self.answered, self.asked)


def response_rate(deliveries: QuerySet[Delivery]) -> Rate:
    row = deliveries.order_by().aggregate(asked=Count("pk"), answered=Count("response"))
    return Rate(row["asked"], row["answered"])


# Periods -----------------------------------------------------------------------------------


def window_start(days: int | None, today: date | None = None) -> datetime | None:
    """The start of "the last ``days`` days": midnight ``days`` days before today. Every survey
    figure over a period (the results page, the account panel, the API) starts here, so the
    same period means the same answers everywhere. None: all time."""
    if days is None:
        return None
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))


def day_end(day: date) -> datetime:
    """The first moment after ``day``."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# The account page and the API --------------------------------------------------------------


def account_responses(account: Account, days: int = RESULTS_DAYS) -> QuerySet[Response]:
    return Response.objects.filter(account=account, answered_at__gte=window_start(days))


def account_summary(account: Account, days: int = RESULTS_DAYS) -> Summary:
    """An account's NPS, CSAT and CES over the last ``days`` days (the account page's panel)."""
    return summarize(account_responses(account, days))


def account_nps(account: Account, days: int = RESULTS_DAYS) -> NPS:
    """An account's NPS over the last ``days`` days (the panel's; a plan KPI can follow it)."""
    return nps(account_responses(account, days))


class SurveyFiguresOut(TypedDict):
    """An account's survey figures in the API, rounded as every page shows them: an integer
    NPS (the pages print it signed, "+33"), whole percentages, the CES mean to one decimal.
    null: no answers of that kind in the period."""

    start: date
    end: date
    nps: int | None
    nps_responses: int
    csat_percent: int | None
    csat_responses: int
    ces_mean: str | None
    ces_easy_percent: int | None
    ces_responses: int


def _whole(value: float | None) -> int | None:
    return None if value is None else int(rounded(value))


def api_figures(account: Account, start: date, end: date) -> SurveyFiguresOut:
    """``account``'s survey figures for the API, for answers from ``start`` to ``end``
    inclusive (the days' local midnights, as on the pages)."""
    summary = summarize(
        Response.objects.filter(
            account=account, answered_at__gte=window_start(0, start), answered_at__lt=day_end(end)
        )
    )
    mean = summary.ces.score
    return {
        "start": start,
        "end": end,
        "nps": _whole(summary.nps.score),
        "nps_responses": summary.nps.responses,
        "csat_percent": _whole(summary.csat.score),
        "csat_responses": summary.csat.responses,
        "ces_mean": None if mean is None else str(rounded(mean, 1)),
        "ces_easy_percent": _whole(summary.ces.easy_percent),
        "ces_responses": summary.ces.responses,
    }


# The results page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the results page (and its CSV export) looks at. ``days`` None: all time."""

    kind: str = Kind.NPS
    days: int | None = RESULTS_DAYS
    interval: str = "month"
    campaign: Campaign | None = None
    account: Account | None = None
    segment: str = ""
    band: str = ""


def matching_responses(responses: ResponseQuerySet, f: Filters) -> ResponseQuerySet:
    if f.campaign is not None:
        responses = responses.filter(campaign=f.campaign)
    if f.account is not None:
        responses = responses.filter(account=f.account)
    if f.segment:
        responses = responses.filter(account__segment=f.segment)
    start = window_start(f.days)
    if start is not None:
        responses = responses.filter(answered_at__gte=start)
    return responses


def matching_deliveries(deliveries: QuerySet[Delivery], f: Filters) -> QuerySet[Delivery]:
    if f.campaign is not None:
        deliveries = deliveries.filter(campaign=f.campaign)
    else:
        deliveries = deliveries.filter(campaign__survey__kind=f.kind)
    if f.account is not None:
        deliveries = deliveries.filter(account=f.account)
    if f.segment:
        deliveries = deliveries.filter(account__segment=f.segment)
    start = window_start(f.days)
    if start is not None:
        deliveries = deliveries.filter(created_at__gte=start)
    return deliveries


@dataclass(frozen=True)
class Row:
    label: str
    summary: Summary
    slug: str = ""


@dataclass(frozen=True)
class Point:
    """One bar of the trend: a month or a quarter, its figure (None: no answers) and count."""

    label: str
    value: float | None
    responses: int


@dataclass(frozen=True)
class Results:
    filters: Filters
    summary: Summary
    rate: Rate
    chart: Chart
    points: list[Point] = field(default_factory=list)
    by_segment: list[Row] = field(default_factory=list)
    by_campaign: list[Row] = field(default_factory=list)
    by_account: list[Row] = field(default_factory=list)


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
    return formatting.month_label(day)


TREND_LABELS: dict[str, _StrOrPromise] = {
    Kind.NPS: "NPS",
    Kind.CSAT: gettext_lazy("CSAT (% satisfied)"),
    Kind.CES: gettext_lazy("CES (mean, 1–7)"),
}
TREND_BOUNDS: dict[str, tuple[float, float]] = {
    Kind.NPS: (-100.0, 100.0),
    Kind.CSAT: (0.0, 100.0),
    Kind.CES: (1.0, 7.0),
}
# Decimals each kind is shown with (as the |signed, |percent and |number:1 filters print it).
PLACES: dict[str, int] = {Kind.NPS: 0, Kind.CSAT: 0, Kind.CES: 1}


def trend_points(responses: QuerySet[Response], f: Filters) -> list[Point]:
    """The chosen kind's figure per month or quarter (one query)."""
    trunc = TruncQuarter if f.interval == "quarter" else TruncMonth
    rows = (
        responses.filter(kind=f.kind)
        .annotate(bucket=trunc("answered_at"))
        .order_by()
        .values("bucket")
        .annotate(**AGGREGATES)
        .order_by("bucket")
    )
    by_period: dict[date, Summary] = {}
    for row in rows:
        bucket = row["bucket"]
        day = timezone.localdate(bucket) if isinstance(bucket, datetime) else bucket
        by_period[day] = Summary.from_row(row)
    today = timezone.localdate()
    start = window_start(f.days)
    first = (
        timezone.localdate(start) if start is not None else (min(by_period) if by_period else today)
    )
    points = []
    for day in periods_between(first, today, f.interval):
        figure = by_period[day].of(f.kind) if day in by_period else None
        points.append(
            Point(
                period_label(day, f.interval),
                figure.score if figure is not None else None,
                figure.responses if figure is not None else 0,
            )
        )
    return points


def trend_chart(points: list[Point], f: Filters) -> Chart:
    places = PLACES[f.kind]
    low, high = TREND_BOUNDS[f.kind]
    return bar_chart(
        # Rounded as the page prints them (half up), so the bars read as the table does.
        [(p.label, None if p.value is None else float(rounded(p.value, places))) for p in points],
        title=(
            gettext("%(figure)s by quarter")
            if f.interval == "quarter"
            else gettext("%(figure)s by month")
        )
        % {"figure": TREND_LABELS[f.kind]},
        y_min=low,
        y_max=high,
        decimals=places,
        counts=[p.responses for p in points],
    )


def grouped(responses: QuerySet[Response], *fields: str) -> list[dict[str, Any]]:
    return list(responses.order_by().values(*fields).annotate(n=Count("pk"), **AGGREGATES))


def nps_grouped(responses: QuerySet[Response], *fields: str) -> QuerySet[Any]:
    """The :data:`NPS_AGGREGATES` of ``responses`` by ``fields`` (rows for
    :meth:`NPS.from_row`), as a query a caller may compile once."""
    return responses.order_by().values(*fields).annotate(**NPS_AGGREGATES)


def results_for(user: User, f: Filters) -> Results:
    """The results page's figures for what ``user`` may see: a fixed number of queries, one
    aggregate per figure group, whatever the number of responses."""
    responses = matching_responses(Response.objects.visible_to(user), f)
    of_kind = responses.filter(kind=f.kind)
    segments = dict(Segment.choices)
    by_segment = [
        Row(segments.get(row["account__segment"], row["account__segment"]), Summary.from_row(row))
        for row in sorted(grouped(of_kind, "account__segment"), key=lambda r: r["account__segment"])
    ]
    by_campaign = [
        Row(row["campaign__name"], Summary.from_row(row))
        for row in sorted(
            grouped(of_kind, "campaign__name", "campaign_id"), key=lambda r: -r["campaign_id"]
        )[:TOP_ROWS]
    ]
    by_account = [
        Row(row["account__name"], Summary.from_row(row), slug=row["account__slug"])
        for row in sorted(
            grouped(of_kind, "account__name", "account__slug"),
            key=lambda r: (-r["n"], r["account__name"]),
        )[:TOP_ROWS]
    ]
    points = trend_points(responses, f)
    return Results(
        filters=f,
        summary=summarize(responses),
        rate=response_rate(matching_deliveries(Delivery.objects.visible_to(user), f)),
        chart=trend_chart(points, f),
        points=points,
        by_segment=by_segment,
        by_campaign=by_campaign,
        by_account=by_account,
    )


def campaign_figures(user: User, campaign: Campaign) -> tuple[Summary, Rate]:
    """A campaign's figures, on the answers ``user`` may see."""
    return (
        summarize(Response.objects.visible_to(user).filter(campaign=campaign)),
        response_rate(Delivery.objects.visible_to(user).filter(campaign=campaign)),
    )

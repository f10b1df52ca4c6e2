"""Every figure renewals computes: the pipeline (its rows with health, NPS and usage beside
each, its totals), the forecast NRR of the quarter, the churn reasons by segment and quarter,
and what the customer's renewal page shows. Nothing here writes.

The forecast NRR is insights' NRR (:attr:`insights.figures.revenue.Period.nrr`: starting MRR
plus expansion, less contraction and churned MRR, over starting MRR) with each renewal of the
quarter counted at its forecast amount in place of what it will turn out to be:

* committed, renewed, expanded or contracted: the amount committed;
* churned, or forecast "will churn": nothing;
* forecast "likely": the amount at stake;
* forecast "at risk": :data:`AT_RISK_WEIGHT` of the amount at stake (an even chance).

A renewal forecast above its amount at stake is expansion, below it contraction, at nothing
churned MRR. The page states the weighting.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, TruncMonth, TruncQuarter
from django.utils.translation import get_language, gettext

from accounts.models import Account, Segment
from forecast import figures as forecast_figures
from forecast import outcomes as forecast_outcomes
from insights.figures.revenue import Period, snapshot_query
from insights.figures.usage import (
    Activity,
    FeatureAdoption,
    activity_of_rows,
    activity_query,
    feature_adoption,
    latest_activity,
    latest_activity_of_rows,
    latest_activity_query,
    seat_use_percent,
    weekly_change,
)
from insights.models import (
    AccountFacts,
    Contract,
    FeatureUsageDay,
    HealthScore,
    ProductUser,
    UsageDay,
)
from portal import compiled
from surveys.figures import NPS, NPS_AGGREGATES, RESULTS_DAYS, nps_grouped, window_start
from surveys.models import Response

from .models import (
    CLOSED_STAGES,
    LOST_STAGES,
    Forecast,
    Renewal,
    RenewalStage,
    RenewalStep,
)

AT_RISK_WEIGHT = Decimal("0.5")
PIPELINE_MONTHS = 12
USAGE_WITHIN = 2  # as insights' latest_activity: tonight's roll-up may not have run yet
TREND_DAYS = 28  # usage trend: weekly active users now against four weeks before
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal(0)
CENTS = Decimal("0.01")
# At risk first within a month (the renewals a CSM can still save), then those expected to
# churn, then the likely ones.
FORECAST_RANK = Case(
    When(forecast=Forecast.AT_RISK, then=Value(0)),
    When(forecast=Forecast.WILL_CHURN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# Which renewals -------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s calendar quarter."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


def quarter_label(day: date) -> str:
    """ "Q1 2027": the calendar quarter ``day`` is in, as the pages name it."""
    return gettext("Q%(quarter)s %(year)s") % {
        "quarter": (day.month - 1) // 3 + 1,
        "year": day.year,
    }


def pipeline_window(today: date) -> tuple[date, date]:
    """From the first of this month to twelve months on."""
    start = month_start(today)
    end = date(start.year + 1, start.month, 1) - timedelta(days=1)
    return start, end


def renewals_of(accounts: QuerySet[Account]) -> QuerySet[Renewal]:
    return Renewal.objects.filter(account__in=accounts.order_by().values("pk"))


def pipeline(
    renewals: QuerySet[Renewal],
    today: date,
    *,
    owner: int | None = None,
    forecast: str = "",
    stage: str = "",
) -> QuerySet[Renewal]:
    """The renewals of the pipeline window, filtered, in the page's order (month, at risk
    first, date), with what each row shows in the same query (its latest health score)."""
    start, end = pipeline_window(today)
    rows = renewals.filter(renews_on__gte=start, renews_on__lte=end)
    if owner is not None:
        rows = rows.filter(account__owner_id=owner)
    if forecast:
        rows = rows.filter(forecast=forecast)
    if stage:
        rows = rows.filter(stage=stage)
    latest = HealthScore.objects.filter(account=OuterRef("account_id")).order_by("-day")
    return (
        rows.select_related("account", "account__owner", "contract", "churn_reason")
        .annotate(
            month=TruncMonth("renews_on"),
            forecast_rank=FORECAST_RANK,
            health_score=Subquery(latest.values("score")[:1]),
            health_band=Subquery(latest.values("band")[:1]),
        )
        .order_by("month", "forecast_rank", "renews_on", "pk")
    )


# The page's rows, light ----------------------------------------------------------------------------

# The columns the page reads, in one query with the page's rows (no model instances): the
# account, its owner, the contract, the reason lost, the latest health score and the account's
# stored churn forecast.
ROW_FIELDS = (
    "pk",
    "account_id",
    "account__name",
    "account__slug",
    "account__brand_color",
    "account__owner__name",
    "account__owner__email",
    "contract__product",
    "contract__external_id",
    "renews_on",
    "stage",
    "forecast",
    "forecast_reason",
    "amount_at_stake",
    "amount_committed",
    "churn_reason__name",
    "month",
    "health_score",
    "health_band",
    "account__churn_forecast__probability",
    "account__churn_forecast__drivers",
)
STAGE_LABELS = dict(RenewalStage.choices)
FORECAST_LABELS = dict(Forecast.choices)


@dataclass(frozen=True)
class Churn:
    """An account's stored churn forecast as a pipeline row shows it: its band, its percentage
    and the driver that pushes it most."""

    band: str
    badge: str  # the health band whose colours it borrows
    label: str
    percent: int
    driver: str


@dataclass(frozen=True)
class PipelineRow:
    pk: int
    account_id: int
    account_name: str
    brand_color: str
    owner_name: str
    product: str
    renews_on: date
    stage: str
    stage_label: str
    forecast: str
    forecast_label: str
    forecast_reason: str
    amount_at_stake: Decimal
    amount_committed: Decimal | None
    churn_reason: str
    month: date
    health_score: int | None
    health_band: str | None
    churn: Churn | None
    url: str


class PipelineRows:
    """The pipeline's rows of ``accounts`` (:func:`pipeline`, filtered) as plain tuples
    (:data:`ROW_FIELDS`), for a pager to slice: each slice is one query, compiled once per
    shape and process (its bounds are parameters). The pager is given the count
    (:func:`summary`'s)."""

    def __init__(
        self, accounts: QuerySet[Account], today: date, *, forecast: str = "", stage: str = ""
    ) -> None:
        self.accounts, self.today, self.forecast, self.stage = accounts, today, forecast, stage

    def __getitem__(self, bounds: slice) -> list[tuple[Any, ...]]:
        start = bounds.start or 0
        today, forecast, stage = self.today, self.forecast, self.stage

        def build(scope: Any) -> QuerySet[Any]:
            renewals = Renewal.objects.filter(account_id__in=scope)
            rows = pipeline(renewals, today, forecast=forecast, stage=stage)
            return rows.values_list(*ROW_FIELDS)

        return _run_scoped(
            ("rows", today, forecast, stage),
            self.accounts,
            build,
            day=today,
            tail=" LIMIT %s OFFSET %s",
            tail_params=(bounds.stop - start, start),
        )


# A pk no renewal has, reversed once per page and replaced by each row's (and the slug likewise):
# the rows' links without a reverse() each.
_PK = 987_654_321
_SLUG = "renewal-slug-987654321"


def page_rows(found: Any) -> list[PipelineRow]:
    """A page of :func:`pipeline_rows` as the page shows them."""
    from django.urls import reverse

    head, rest = reverse("renewal_edit", args=[_SLUG, _PK]).split(_SLUG)
    middle, tail = rest.split(str(_PK))
    language = get_language() or ""
    out = []
    for row in found:
        (
            pk, account_id, name, slug, brand, owner_name, owner_email, product, external_id,
            renews_on, stage, forecast, reason, at_stake, committed, churn_reason, month,
            health_score, health_band, probability, drivers,
        ) = row  # fmt: skip
        out.append(
            PipelineRow(
                pk=pk,
                account_id=account_id,
                account_name=name,
                brand_color=brand,
                owner_name=owner_name or (owner_email.split("@")[0] if owner_email else ""),
                product=product or external_id,
                renews_on=renews_on,
                stage=stage,
                stage_label=STAGE_LABELS.get(stage, stage),
                forecast=forecast,
                forecast_label=FORECAST_LABELS.get(forecast, forecast),
                forecast_reason=reason,
                amount_at_stake=at_stake,
                amount_committed=committed,
                churn_reason=churn_reason or "",
                month=_as_date(month),
                health_score=health_score,
                health_band=health_band,
                churn=None if probability is None else _churn(language, probability, drivers),
                url=f"{head}{slug}{middle}{pk}{tail}",
            )
        )
    return out


# Churn forecasts as rows show them, by language, probability and first driver, kept by the
# process (a forecast changes once a night); emptied when it grows past CHURNS_KEPT.
_churns: dict[tuple[str, float, str], Churn] = {}
CHURNS_KEPT = 20_000


def _churn(language: str, probability: float, drivers: list[dict[str, Any]]) -> Churn:
    key = (language, probability, repr(drivers[0]) if drivers else "")
    found = _churns.get(key)
    if found is None:
        if len(_churns) >= CHURNS_KEPT:
            _churns.clear()
        found = _churns[key] = churn_of(probability, drivers)
    return found


def churn_of(probability: float, drivers: list[dict[str, Any]]) -> Churn:
    key = forecast_figures.band(probability)
    return Churn(
        band=key,
        badge=forecast_figures.BADGES[key],
        label=str(forecast_figures.BAND_LABELS[key]),
        percent=round(probability * 100),
        driver=forecast_figures.driver_words(drivers[0]) if drivers else "",
    )


# Beside each row ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Beside:
    """What the pipeline shows beside a renewal: the account's NPS and usage trend."""

    nps: NPS | None
    usage: Activity | None
    usage_change: Decimal | None  # WAU now against TREND_DAYS before, as a fraction


def beside(account_ids: list[int], today: date) -> dict[int, Beside]:
    """NPS (the survey results' window) and usage trend of each account, in three queries
    however many accounts, each compiled once a day per process."""
    since = window_start(RESULTS_DAYS, today)
    earlier_day = today - timedelta(days=TREND_DAYS)

    def accounts_of(scope: Any) -> QuerySet[Account]:
        return Account.objects.filter(pk__in=scope)

    def nps_rows(scope: Any) -> QuerySet[Any]:
        responses = Response.objects.filter(account_id__in=scope, answered_at__gte=since)
        return nps_grouped(responses, "account_id").values_list("account_id", *NPS_AGGREGATES)

    names = list(NPS_AGGREGATES)
    scores = {
        row[0]: NPS.from_row(dict(zip(names, row[1:], strict=True)))
        # The window starts at midnight in the reader's time zone: an instant each zone has
        # its own of, and the compiled SQL carries it.
        for row in _run_scoped(("beside.nps", since), account_ids, nps_rows, day=today)
    }
    now = latest_activity_of_rows(
        _run_scoped(
            ("beside.now", today),
            account_ids,
            lambda scope: latest_activity_query(accounts_of(scope), today),
            day=today,
        )
    )
    before = activity_of_rows(
        _run_scoped(
            ("beside.before", earlier_day),
            account_ids,
            lambda scope: activity_query(accounts_of(scope), earlier_day),
            day=today,
        ),
        earlier_day,
    )
    out: dict[int, Beside] = {}
    for pk in account_ids:
        usage, earlier = now.get(pk), before.get(pk)
        change = weekly_change(earlier.wau, usage.wau) if usage and earlier else None
        nps = scores.get(pk)
        out[pk] = Beside(nps if nps and nps.responses else None, usage, change)
    return out


# Totals ----------------------------------------------------------------------------------------


def forecast_amount() -> Case:
    """A renewal's forecast ARR, as the module's docstring defines it, in SQL."""
    return Case(
        When(stage=RenewalStage.CHURNED, then=Value(ZERO)),
        When(
            stage__in=[
                RenewalStage.COMMITTED,
                RenewalStage.RENEWED,
                RenewalStage.EXPANDED,
                RenewalStage.CONTRACTED,
            ],
            then=Coalesce(F("amount_committed"), Value(ZERO)),
        ),
        When(forecast=Forecast.WILL_CHURN, then=Value(ZERO)),
        When(
            forecast=Forecast.AT_RISK,
            then=ExpressionWrapper(F("amount_at_stake") * AT_RISK_WEIGHT, output_field=MONEY),
        ),
        default=F("amount_at_stake"),
        output_field=MONEY,
    )


def _sum(condition: Q | None = None, expression: Any = None) -> Coalesce:
    return Coalesce(
        Sum(expression or F("amount_at_stake"), filter=condition), Value(ZERO), output_field=MONEY
    )


@dataclass(frozen=True)
class Totals:
    count: int
    at_stake: Decimal
    forecast: dict[str, Decimal]  # open renewals' ARR at stake by forecast
    committed: Decimal
    forecast_arr: Decimal


@dataclass(frozen=True)
class Summary:
    totals: Totals
    months: dict[date, tuple[int, Decimal]]  # each month's count of renewals and ARR at stake


def summary(
    accounts: QuerySet[Account], today: date, *, forecast: str = "", stage: str = ""
) -> Summary:
    """The totals and each month's of the pipeline of ``accounts`` (:func:`pipeline`'s rows,
    filtered alike), in one query compiled once (by month; the totals are the months' sums).
    Its count is the pager's too."""
    start, end = pipeline_window(today)
    open_ = ~Q(stage__in=CLOSED_STAGES)
    names = ["n", "at_stake", "committed", "forecast_arr", *(f"f_{f}" for f in Forecast.values)]

    def build(scope: Any) -> QuerySet[Any]:
        rows = Renewal.objects.filter(
            account_id__in=scope, renews_on__gte=start, renews_on__lte=end
        )
        if forecast:
            rows = rows.filter(forecast=forecast)
        if stage:
            rows = rows.filter(stage=stage)
        return (
            rows.order_by()
            .annotate(m=TruncMonth("renews_on"))
            .values("m")
            .annotate(
                n=Count("pk"),
                at_stake=_sum(),
                committed=_sum(None, F("amount_committed")),
                forecast_arr=_sum(None, forecast_amount()),
                **{f"f_{f}": _sum(open_ & Q(forecast=f)) for f in Forecast.values},
            )
            .values_list("m", *names)
        )

    found = [
        {"m": _day(m), "n": n} | {k: _money(v) for k, v in zip(names[1:], sums, strict=True)}
        for m, n, *sums in _run_scoped(
            ("summary", start, end, forecast, stage), accounts, build, day=today
        )
    ]

    def total(key: str) -> Decimal:
        return sum((row[key] for row in found), ZERO)

    return Summary(
        totals=Totals(
            count=sum(row["n"] for row in found),
            at_stake=total("at_stake"),
            forecast={f: total(f"f_{f}") for f in Forecast.values},
            committed=total("committed"),
            forecast_arr=total("forecast_arr"),
        ),
        months={row["m"]: (row["n"], row["at_stake"]) for row in found},
    )


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# Compiled once ---------------------------------------------------------------------------------

# The pipeline's queries are long expressions (the forecast amount, its filters, the rows' joins
# and subqueries) that cost more CPU to compile than to run. Their SQL is made once per shape and
# process with a stand-in for the accounts they cover; each call puts the accounts' own (short)
# subquery, or a list of their ids, in its place. The columns come back converted as the ORM
# converts them (dates, money, JSON), with the converters kept from the one compile.
_SCOPE = "SELECT -7300000001"
_Converters = dict[int, tuple[list[Any], Any]]
# The SQL of each accounts queryset a request is using (a queryset never changes once made).
_scope_sqls: weakref.WeakKeyDictionary[QuerySet[Account], tuple[str, str, tuple[Any, ...]]] = (
    weakref.WeakKeyDictionary()
)
_scoped: dict[tuple[str, Hashable], tuple[str, str, tuple[Any, ...], int, _Converters]] = {}


def _scope_sql(scope: QuerySet[Account] | list[int], using: str) -> tuple[str, tuple[Any, ...]]:
    if isinstance(scope, QuerySet):
        # A page asks for several figures of the same accounts: their SQL is made once.
        known = _scope_sqls.get(scope)
        if known is None or known[0] != using:
            sql, params = scope.order_by().values("pk").query.get_compiler(using).as_sql()
            known = _scope_sqls[scope] = (using, sql, tuple(params))
        return known[1], known[2]
    if isinstance(scope, list):
        table = connections[using].ops.quote_name(Account._meta.db_table)
        placeholders = ", ".join(["%s"] * len(scope))
        return f"SELECT id FROM {table} WHERE id IN ({placeholders})", tuple(scope)  # noqa: S608 - the ids are parameters
    sql, params = scope.order_by().values("pk").query.get_compiler(using).as_sql()
    return sql, tuple(params)


def _run_scoped(
    shape: Hashable,
    scope: QuerySet[Account] | list[int],
    build: Callable[[Any], QuerySet[Any]],
    *,
    day: date,
    tail: str = "",
    tail_params: tuple[Any, ...] = (),
) -> list[tuple[Any, ...]]:
    """The rows of ``build(the accounts' pks)``, whose SQL depends on ``shape`` alone, with
    ``tail`` (a LIMIT) on the end. ``scope``: the accounts, as a queryset or a list of ids
    (none: no rows, no query). ``day``: the reader's today the shape is of (the entries of
    past days are dropped: portal.compiled.keep)."""
    if isinstance(scope, list) and not scope:
        return []
    using = scope.db if isinstance(scope, QuerySet) else "default"
    inner, inner_params = _scope_sql(scope, using)
    key = (using, shape)
    entry = _scoped.get(key)
    if entry is None:
        stand_in = RawSQL(_SCOPE, ())  # noqa: S611 - a constant, replaced by Django's own SQL
        compiler = build(stand_in).query.get_compiler(using)
        sql, params = compiler.as_sql()
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        at = sql.index(_SCOPE)
        head = sql[:at]
        entry = _scoped[key] = (
            head,
            sql[at + len(_SCOPE) :],
            tuple(params),
            head.count("%s"),
            compiler.get_converters(selected),
        )
        compiled.keep(_scoped, key, day)
    head, rest, params, split, converters = entry
    values = [*params[:split], *inner_params, *params[split:], *tail_params]
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"{head}{inner}{rest}{tail}", values)
        rows = cursor.fetchall()
    if not converters:
        return rows
    out = []
    for row in rows:
        cells = list(row)
        for at_, (functions, expression) in converters.items():
            value = cells[at_]
            for function in functions:
                value = function(value, expression, connection)
            cells[at_] = value
        out.append(tuple(cells))
    return out


def _money(value: Any) -> Decimal:
    """A sum as the database gives it to a bare cursor (SQLite: a float or an int) as money."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0)).quantize(CENTS)


def _day(value: Any) -> date:
    """A truncated month as a bare cursor gives it (SQLite: text) as a date."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return _as_date(value)


# The forecast NRR ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastNRR:
    start: date
    end: date
    period: Period  # starting MRR, and the forecast expansion, contraction and churned MRR
    renewals: int

    @property
    def nrr(self) -> Decimal | None:
        return self.period.nrr

    @property
    def label(self) -> str:
        return quarter_label(self.start)


def forecast_nrr(accounts: QuerySet[Account], today: date) -> ForecastNRR:
    """The forecast NRR of ``today``'s quarter for ``accounts``, in two queries: their MRR
    at its start, and the renewals of the quarter of contracts running then, at their forecast
    amounts (monthly: ARR / 12)."""
    start, end = quarter_of(today)
    ((starting, _paying),) = _run_scoped(
        ("nrr.starting", start),
        accounts,
        lambda scope: snapshot_query(Account.objects.filter(pk__in=scope), start),
        day=today,
    )

    def build(scope: Any) -> QuerySet[Any]:
        delta = ExpressionWrapper(forecast_amount() - F("amount_at_stake"), output_field=MONEY)
        return (
            Renewal.objects.filter(
                account_id__in=scope,
                renews_on__gte=start,
                renews_on__lte=end,
                contract__starts_on__lte=start,
                contract__ends_on__gt=start,
            )
            .order_by()
            .alias(delta=delta, f=forecast_amount())
            .annotate(one=Value(1, output_field=IntegerField()))
            .values("one")  # no GROUP BY: one row, as aggregate() gives
            .annotate(
                n=Count("pk"),
                expansion=_sum(Q(f__gt=F("amount_at_stake")), Greatest(F("delta"), Value(ZERO))),
                contraction=_sum(Q(f__gt=0, f__lt=F("amount_at_stake")), -F("delta")),
                churned=_sum(Q(f=0)),
            )
            .values_list("n", "expansion", "contraction", "churned")
        )

    ((n, expansion, contraction, churned),) = _run_scoped(
        ("nrr", start, end), accounts, build, day=today
    )
    row = {
        "n": n,
        "expansion": _money(expansion),
        "contraction": _money(contraction),
        "churned": _money(churned),
    }
    period = Period(
        start=start,
        end=end,
        starting_mrr=starting,
        expansion=row["expansion"] / 12,
        contraction=row["contraction"] / 12,
        churned_mrr=row["churned"] / 12,
    )
    return ForecastNRR(start=start, end=end, period=period, renewals=row["n"])


# Outcomes the churn forecast learns from ----------------------------------------------------------

# A recorded stage as the forecast's outcome: expanded counts as renewed, contracted stays
# contracted (both lost ones are "churned" to the model's labels).
OUTCOME_OF_STAGE: dict[str, str] = {
    RenewalStage.RENEWED: forecast_outcomes.RENEWED,
    RenewalStage.EXPANDED: forecast_outcomes.RENEWED,
    RenewalStage.CHURNED: forecast_outcomes.CHURNED,
    RenewalStage.CONTRACTED: forecast_outcomes.CONTRACTED,
}


def recorded_outcomes(today: date) -> list[forecast_outcomes.Outcome]:
    """The closed renewals' outcomes (closed by ``today``), one per account and renewal date,
    for the churn forecast (registered in :class:`renewals.apps.RenewalsConfig`). Several lines
    of an account renewing on one day are one renewal: churned when every line churned,
    contracted when some were lost, else renewed. One query."""
    found: dict[tuple[int, date], set[str]] = {}
    closed = (
        Renewal.objects.filter(stage__in=CLOSED_STAGES, closed_at__date__lte=today)
        .order_by()
        .values_list("account_id", "renews_on", "stage")
    )
    for account_id, renews_on, stage in closed:
        found.setdefault((account_id, renews_on), set()).add(OUTCOME_OF_STAGE[stage])
    out = []
    for (account_id, renews_on), results in sorted(found.items()):
        if results == {forecast_outcomes.CHURNED}:
            result = forecast_outcomes.CHURNED
        elif results & forecast_outcomes.LOST:
            result = forecast_outcomes.CONTRACTED
        else:
            result = forecast_outcomes.RENEWED
        out.append(forecast_outcomes.Outcome(account_id, renews_on, result))
    return out


# Churn reasons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonRow:
    quarter: date
    segment: str
    reason: str
    renewals: int
    lost_arr: Decimal

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def segment_label(self) -> str:
        return str(Segment(self.segment).label) if self.segment in Segment.values else self.segment


def reasons_by_segment_and_quarter(renewals: QuerySet[Renewal]) -> list[ReasonRow]:
    """Churned and contracted renewals by the quarter they closed, the account's segment and
    the reason, with the ARR lost (all of it for a churn, the shortfall for a contraction);
    newest quarter first. One query."""
    lost = Case(
        When(stage=RenewalStage.CHURNED, then=F("amount_at_stake")),
        default=F("amount_at_stake") - Coalesce(F("amount_committed"), Value(ZERO)),
        output_field=MONEY,
    )
    rows = (
        renewals.filter(stage__in=LOST_STAGES, closed_at__isnull=False)
        .order_by()
        .annotate(q=TruncQuarter("closed_at"))
        .values("q", "account__segment", "churn_reason__name")
        .annotate(n=Count("pk"), lost=_sum(None, lost))
        .order_by("-q", "account__segment", "-n", "churn_reason__name")
    )
    return [
        ReasonRow(
            _as_date(r["q"]),
            r["account__segment"],
            r["churn_reason__name"] or gettext("No reason given"),
            r["n"],
            r["lost"],
        )
        for r in rows
    ]


# The customer's renewal page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entitlement:
    seats_bought: int | None
    active_users: int | None  # MAU, from the latest roll-up
    people: int  # product users the integration knows
    seat_use: int | None  # MAU / seats bought, whole percent
    features: list[FeatureAdoption]


def next_renewal(account: Account, today: date) -> Renewal | None:
    """The account's renewal to show: the soonest still open, else the latest closed. One
    query (the soonest open ones rank first)."""
    return _next_renewals(account, today).first()


def _upcoming(today: date) -> Q:
    """A renewal still open and not yet past: the one the customer's page shows first, and
    the account's others it names."""
    return ~Q(stage__in=CLOSED_STAGES) & Q(renews_on__gte=today)


def _next_renewals(account: Account, today: date) -> QuerySet[Renewal]:
    upcoming = _upcoming(today)
    return (
        account.renewals.select_related("contract")
        .annotate(
            upcoming=Case(When(upcoming, then=Value(0)), default=Value(1)),
            upcoming_on=Case(When(upcoming, then=F("renews_on"))),
        )
        .order_by("upcoming", "upcoming_on", "-renews_on", "pk")
    )


def _page_renewal(account_pk: int, today: date) -> QuerySet[Renewal]:
    """:func:`next_renewal` carrying its contract's terms, the account's seats and people, and
    its latest usage."""
    latest = UsageDay.objects.filter(
        account=OuterRef("account_id"), day__lte=today, day__gt=today - timedelta(USAGE_WITHIN)
    ).order_by("-day")
    usage = {
        name: Subquery(latest.values(field)[:1])
        for name, field in (
            ("u_day", "day"),
            ("u_dau", "active_users"),
            ("u_wau", "weekly_active_users"),
            ("u_mau", "monthly_active_users"),
            ("u_events", "events"),
        )
    }
    # The account's other open renewals (a customer with several contracts): how many, and the
    # soonest, so that the page does not read as if the one shown were the only renewal.
    others = Renewal.objects.filter(_upcoming(today), account=OuterRef("account_id")).exclude(
        pk=OuterRef("pk")
    )
    soonest_other = others.order_by("renews_on", "pk")
    return _next_renewals(Account(pk=account_pk), today).annotate(
        later_count=Subquery(
            others.order_by().values("account_id").annotate(n=Count("pk")).values("n")[:1]
        ),
        later_on=Subquery(soonest_other.values("renews_on")[:1]),
        later_product=Subquery(soonest_other.values("contract__product")[:1]),
        seats=Subquery(
            AccountFacts.objects.filter(account=OuterRef("account_id")).values("licensed_seats")[:1]
        ),
        people=Subquery(
            ProductUser.objects.filter(account=OuterRef("account_id"))
            .order_by()
            .values("account_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        c_product=F("contract__product"),
        c_external_id=F("contract__external_id"),
        c_term=F("contract__term_months"),
        c_starts=F("contract__starts_on"),
        c_ends=F("contract__ends_on"),
        **usage,
    )[:1]


def renewal_page(account: Account, today: date) -> tuple[Renewal | None, Entitlement | None]:
    """The customer's renewal page's renewal (:func:`next_renewal`) and, with it, what the
    contract includes against what is used, and the account's other open renewals
    (``later_count``, the soonest's ``later_on`` and ``later_product``). In two queries: the
    renewal carrying its contract's terms, the account's seats, people and latest usage
    (compiled once a day per process: portal.compiled), then the features used that day."""
    sql, values = compiled.statement(
        ("renewals.page", today),
        lambda account: _page_renewal(account, today),
        day=today,
        account=account.pk,
    )
    renewal = next(iter(Renewal.objects.raw(sql, values)), None)
    if renewal is not None:
        facts: Any = renewal
        # The contract, from the same row (what the page shows of it).
        renewal.contract = Contract(
            pk=renewal.contract_id,
            account_id=renewal.account_id,
            product=facts.c_product,
            external_id=facts.c_external_id,
            term_months=facts.c_term,
            starts_on=_day(facts.c_starts),
            ends_on=_day(facts.c_ends),
        )
    if renewal is None:
        return None, None
    renewal.later_count = facts.later_count or 0  # type: ignore[attr-defined]
    renewal.later_on = _day(facts.later_on) if facts.later_on else None  # type: ignore[attr-defined]
    activity = (
        Activity(
            _day(facts.u_day),
            facts.u_dau,
            facts.u_wau,
            facts.u_mau,
            facts.u_events,
            facts.seats,
        )
        if facts.u_day is not None
        else None
    )
    features = []
    if activity is not None:
        features = [
            FeatureAdoption(feature, users, activity.mau)
            for feature, users in FeatureUsageDay.objects.filter(
                account_id=renewal.account_id, day=activity.day
            )
            .order_by("-monthly_users", "feature")
            .values_list("feature", "monthly_users")
        ]
    return renewal, Entitlement(
        seats_bought=facts.seats,
        active_users=activity.mau if activity else None,
        people=facts.people or 0,
        seat_use=seat_use_percent(activity) if activity else None,
        features=features,
    )


def entitlement(account: Account, today: date) -> Entitlement:
    """Seats bought against people using the product, and the features in use."""
    seats = AccountFacts.objects.filter(account=account).values_list("licensed_seats", flat=True)
    usage = latest_activity(account, today)
    return Entitlement(
        seats_bought=seats.first(),
        active_users=usage.mau if usage else None,
        people=ProductUser.objects.filter(account=account).count(),
        seat_use=seat_use_percent(usage) if usage else None,
        features=feature_adoption(account, usage.day) if usage else [],
    )


@dataclass(frozen=True)
class Checklist:
    steps: list[RenewalStep]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else 0


def checklist(renewal: Renewal) -> Checklist:
    return Checklist(list(renewal.steps.select_related("done_by")))

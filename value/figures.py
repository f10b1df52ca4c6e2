"""Value realized, worked out once: the KPI page, the "Value realized" panel (the account page,
the 360° page, the executive's home), the business review and the Wrapped all call these.

* A KPI's gain is how far its quantity moved the right way: current - baseline, or baseline -
  current where a fall is the gain (tickets down from 900 to 600 a month: 300 avoided).
* Its money value is the gain x its unit value, for a year: x 12 for a monthly quantity, x 1
  for a yearly one; a one-off gain counts once.
* The account's value realized is the sum of its KPIs' values per currency: amounts in
  different currencies are never added together.
* ROI compares that value with what the account pays in a year in the same currency (the
  annual contract value of the contracts running on the day, insights' figure):
  ROI = (value - cost) / cost, and the multiple = value / cost ("3.2x what it costs").

Money is ``Decimal`` and unrounded here; it becomes text through :mod:`portal.formatting`,
once, in the ``*_text`` properties every page and PDF prints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account
from insights.figures.revenue import (
    MONEY,
    MONTHS_PER_YEAR,
    active_on,
    arr_by_currency,
    mrr_expression,
)
from insights.models import Contract
from portal import compiled, formatting
from portal.formatting import MINUS, measure, money, number, signed

from .models import Period, ValueKPI, ValueReading

PERIODS_PER_YEAR = {Period.MONTH: 12, Period.YEAR: 1, Period.ONE_OFF: 1}
ZERO = Decimal(0)

FORMULA = gettext_lazy(
    "Each KPI's value is its gain since the baseline × what one unit is worth, for a year "
    "(a monthly gain × 12; a one-off gain counts once). Value realized adds up the KPIs of "
    "one currency. ROI = (value realized − annual contract value) ÷ annual contract value; "
    "the multiple is value realized ÷ annual contract value."
)


def gain(kpi: ValueKPI, quantity: Decimal) -> Decimal:
    """How far ``quantity`` has moved from the baseline the right way (negative: lost ground)."""
    moved = quantity - kpi.baseline
    return -moved if kpi.lower_is_better else moved


def annual_value(kpi: ValueKPI, quantity: Decimal) -> Decimal:
    """The money the gain is worth in a year (a one-off gain: once)."""
    return gain(kpi, quantity) * kpi.unit_value * PERIODS_PER_YEAR[Period(kpi.period)]


def _money(amount: Decimal | None, currency: str) -> str | None:
    if amount is None:
        return None
    return money(amount, 0 if abs(amount) >= 100 else 2, currency=currency)


def one(unit: str) -> str:
    """One of ``unit``, for "€55.00 per hour": "hours" -> "hour"; a longer unit stays whole."""
    word = unit.strip()
    if word.isalpha() and word.endswith("s") and len(word) > 3:
        return word[:-1]
    return word or _("unit")


@dataclass(frozen=True)
class KPIFigure:
    """One KPI as of a day: its quantity then, and what it is worth."""

    kpi: ValueKPI
    current: Decimal
    day: date
    trend: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def gain(self) -> Decimal:
        return gain(self.kpi, self.current)

    @property
    def value(self) -> Decimal:
        return annual_value(self.kpi, self.current)

    @property
    def currency(self) -> str:
        return self.kpi.currency

    @property
    def baseline_text(self) -> str:
        return measure(self.kpi.baseline, self.kpi.unit) or ""

    @property
    def current_text(self) -> str:
        return measure(self.current, self.kpi.unit) or ""

    @property
    def gain_text(self) -> str:
        text = number(abs(self.gain), 2, trim=True)
        sign = "+" if self.gain > 0 else MINUS if self.gain < 0 else ""
        return f"{sign}{text} {self.kpi.unit}".strip()

    @property
    def unit_value_text(self) -> str:
        return _("%(value)s per %(unit)s") % {
            "value": money(self.kpi.unit_value, 2, currency=self.currency),
            "unit": one(self.kpi.unit),
        }

    @property
    def value_text(self) -> str:
        return _money(self.value, self.currency) or ""

    @property
    def period_text(self) -> str:
        return _("once") if self.kpi.period == Period.ONE_OFF else _("a year")

    @property
    def confirmed(self) -> bool:
        return self.kpi.confirmed_at is not None

    @property
    def sparkline(self) -> str:
        """SVG polyline points (96 x 24) of the readings, for a small trend beside the figure."""
        if len(self.trend) < 2:
            return ""
        values = [v for _, v in self.trend]
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)
        step = Decimal(94) / (len(values) - 1)
        return " ".join(
            f"{1 + step * i:.1f},{22 - (v - low) * 20 / span:.1f}" for i, v in enumerate(values)
        )


@dataclass(frozen=True)
class CurrencyTotal:
    """Value realized in one currency, against the contracts paid in that currency."""

    currency: str
    value: Decimal
    cost: Decimal | None  # the annual contract value; None when no contract is in it

    @property
    def roi(self) -> Decimal | None:
        if not self.cost:
            return None
        return (self.value - self.cost) / self.cost

    @property
    def multiple(self) -> Decimal | None:
        if not self.cost:
            return None
        return self.value / self.cost

    @property
    def value_text(self) -> str:
        return _money(self.value, self.currency) or ""

    @property
    def cost_text(self) -> str | None:
        return _money(self.cost, self.currency)

    @property
    def roi_text(self) -> str | None:
        return None if self.roi is None else signed(self.roi * 100, suffix="%")

    @property
    def multiple_text(self) -> str | None:
        return None if self.multiple is None else f"{number(self.multiple, 1)}×"


@dataclass(frozen=True)
class AccountValue:
    day: date
    kpis: list[KPIFigure]  # the shared KPIs: what value realized counts
    totals: list[CurrencyTotal]
    # The vendor's drafts, not counted until shared with the customer (asked for only).
    drafts: list[KPIFigure] = field(default_factory=list)

    @property
    def headline(self) -> CurrencyTotal | None:
        """The largest total: what a card leads with (the others are shown beside it)."""
        return self.totals[0] if self.totals else None

    def top(self, count: int = 3) -> list[KPIFigure]:
        return sorted(self.kpis, key=lambda f: (-f.value, f.kpi.name))[:count]


def _kpis(account: Account, day: date, *, with_drafts: bool) -> list[ValueKPI]:
    kpis = ValueKPI.objects.filter(account=account)
    if not with_drafts:
        kpis = kpis.filter(shared=True)
    readings = ValueReading.objects.filter(day__lte=day).order_by("day")
    return list(
        kpis.select_related("confirmed_by").prefetch_related(
            Prefetch("readings", queryset=readings, to_attr="readings_so_far")
        )
    )


def totals_of(figures: Iterable[KPIFigure], costs: dict[str, Decimal]) -> list[CurrencyTotal]:
    """Per currency, the largest first; never added across currencies."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for figure in figures:
        sums[figure.currency] += figure.value
    totals = [CurrencyTotal(c, v, costs.get(c)) for c, v in sums.items()]
    return sorted(totals, key=lambda t: (-t.value, t.currency))


def account_value(
    account: Account, *, day: date | None = None, with_drafts: bool = False
) -> AccountValue:
    """The account's value KPIs and totals as of ``day`` (today by default), each KPI at its
    latest reading on or before it; a KPI with no reading by then is left out. Only shared
    KPIs count; the vendor's drafts come apart (``with_drafts``). Three queries, whatever the
    number of KPIs."""
    day = day or timezone.localdate()
    shared: list[KPIFigure] = []
    drafts: list[KPIFigure] = []
    for kpi in _kpis(account, day, with_drafts=with_drafts):
        readings: list[ValueReading] = kpi.readings_so_far  # type: ignore[attr-defined]
        if not readings:
            continue
        figure = KPIFigure(
            kpi=kpi,
            current=readings[-1].quantity,
            day=readings[-1].day,
            trend=[(r.day, r.quantity) for r in readings],
        )
        (shared if kpi.shared else drafts).append(figure)
    costs = arr_by_currency(account, day) if shared else {}
    return AccountValue(day=day, kpis=shared, totals=totals_of(shared, costs), drafts=drafts)


_KPI_COLUMNS = tuple(f.attname for f in ValueKPI._meta.concrete_fields)


def _panel_query(account: int, day: date) -> QuerySet[Any]:
    """The account's shared KPIs, each with its latest reading on or before ``day`` and what
    the account pays a month in its currency (the contracts running on ``day``)."""
    latest = ValueReading.objects.filter(kpi=OuterRef("pk"), day__lte=day).order_by("-day")
    monthly = (
        Contract.objects.filter(
            active_on(day), account_id=OuterRef("account_id"), currency=OuterRef("currency")
        )
        .order_by()
        .values("currency")
        .annotate(total=Sum(mrr_expression()))
        .values("total")
    )
    return (
        ValueKPI.objects.filter(account_id=account, shared=True)
        .annotate(
            reading_quantity=Subquery(latest.values("quantity")[:1]),
            reading_day=Subquery(latest.values("day")[:1]),
            monthly_cost=Subquery(monthly, output_field=MONEY),
        )
        .values_list(*_KPI_COLUMNS, "reading_quantity", "reading_day", "monthly_cost")
    )


def panel_value(account: Account, day: date) -> AccountValue:
    """:func:`account_value` as the "Value realized" panel shows it (the shared KPIs at their
    latest reading, the totals against the contracts; no trend, no drafts), in one query
    compiled once a day per process (portal.compiled)."""
    shared: list[KPIFigure] = []
    costs: dict[str, Decimal] = {}
    for *columns, current, current_day, monthly in compiled.converted(
        ("value.panel", day),
        lambda account: _panel_query(account, day),
        day=day,
        account=account.pk,
    ):
        if current is None:
            continue
        kpi = ValueKPI(**dict(zip(_KPI_COLUMNS, columns, strict=True)))
        shared.append(KPIFigure(kpi=kpi, current=current, day=current_day))
        if monthly:
            costs[kpi.currency] = monthly * MONTHS_PER_YEAR
    return AccountValue(day=day, kpis=shared, totals=totals_of(shared, costs))


def printable(account: Account, day: date) -> dict[str, Any] | None:
    """Value realized for a PDF (plain JSON): the shared KPIs as of ``day``; None when none."""
    return printed(kept(account, day))


def kept(account: Account, day: date) -> dict[str, Any] | None:
    """The shared KPIs as of ``day`` as language-neutral JSON (numbers as strings, codes): what
    a PDF version keeps, worded in each reader's language by :func:`printed`; None when none."""
    figures = account_value(account, day=day)
    if not figures.kpis:
        return None
    return {
        "day": day.isoformat(),
        "totals": [
            {
                "currency": t.currency,
                "value": str(t.value),
                "cost": None if t.cost is None else str(t.cost),
            }
            for t in figures.totals
        ],
        "kpis": [
            {
                "name": f.kpi.name,
                "driver": f.kpi.driver,
                "unit": f.kpi.unit,
                "baseline": str(f.kpi.baseline),
                "current": str(f.current),
                "lower_is_better": f.kpi.lower_is_better,
                "unit_value": str(f.kpi.unit_value),
                "currency": f.kpi.currency,
                "period": f.kpi.period,
                "agreed_with": f.kpi.agreed_with,
                "confirmed": f.confirmed,
                "day": f.day.isoformat(),
            }
            for f in figures.top(count=len(figures.kpis))
        ],
    }


def printed(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """What :func:`kept` keeps, written in the active language through the same ``*_text``
    figures as the pages."""
    if data is None:
        return None
    confirmed = timezone.now()
    totals = [
        CurrencyTotal(
            t["currency"], Decimal(t["value"]), None if t["cost"] is None else Decimal(t["cost"])
        )
        for t in data["totals"]
    ]
    kpis = [
        KPIFigure(
            kpi=ValueKPI(
                name=k["name"],
                driver=k["driver"],
                unit=k["unit"],
                baseline=Decimal(k["baseline"]),
                lower_is_better=k["lower_is_better"],
                unit_value=Decimal(k["unit_value"]),
                currency=k["currency"],
                period=k["period"],
                agreed_with=k["agreed_with"],
                confirmed_at=confirmed if k["confirmed"] else None,
            ),
            current=Decimal(k["current"]),
            day=date.fromisoformat(k["day"]),
        )
        for k in data["kpis"]
    ]
    return {
        "day": formatting.long_date(date.fromisoformat(data["day"])),
        "formula": str(FORMULA),
        "totals": [
            {
                "currency": t.currency,
                "value": t.value_text,
                "cost": t.cost_text,
                "roi": t.roi_text,
                "multiple": t.multiple_text,
            }
            for t in totals
        ],
        "kpis": [
            {
                "name": f.kpi.name,
                "driver": f.kpi.get_driver_display(),
                "baseline": f.baseline_text,
                "current": f.current_text,
                "gain": f.gain_text,
                "unit_value": f.unit_value_text,
                "value": f.value_text,
                "period": f.period_text,
                "agreed_with": f.kpi.agreed_with or None,
                "confirmed": f.confirmed,
            }
            for f in kpis
        ],
    }

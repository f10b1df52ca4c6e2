"""Revenue figures from contracts (DESIGN.md, "Figures, as the glossaries define them").

A contract contributes its MRR on the days from ``starts_on`` (inclusive) to ``ends_on``
(exclusive): recurring value / term months, or the value itself when it is given per month.
One-off fees never count. ARR = MRR x 12.

A period runs from ``start`` to ``end``; each account is compared by its MRR on those two days:

- paying at start and 0 at end: churned (its starting MRR is churned MRR, it is a lost customer);
- more at end: expansion; less (but not 0): contraction;
- 0 at start and paying at end: a new customer, or a reactivation when it paid before ``start``.

Won upsell leads (CSQLs) are expansion too: an account paying on both days adds the ARR its
leads won in the period (``won_on`` after ``start``, up to ``end``) / 12, less what expansion
contracts starting in the period already add (the sale, once booked, is not counted twice).
Every page, PDF and the API read NRR, GRR and expansion from :class:`Period`, so they agree.

Money is ``Decimal`` and unrounded; it is rounded once, where it is shown, by
:mod:`portal.formatting` (``|money`` on pages). Rates are fractions (``Decimal("0.985")``),
shown with ``|rate``. A figure that would divide by zero (no paying accounts, no starting MRR)
is ``None``: "no data".

Every function takes one account or a queryset of accounts (a CSM's portfolio, a segment) and
runs a fixed number of queries, whatever the number of accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Account

from ..models import Contract, ContractKind, UpsellLead

ZERO = Decimal(0)
MONTHS_PER_YEAR = 12

# Wide enough for exact numeric on PostgreSQL; SQLite (no decimal type) is quantized to this.
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=32, decimal_places=12)

Accounts = Account | QuerySet[Account]


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` as a Decimal, or None when ``whole`` is zero."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def year_before(day: date) -> date:
    """The same day a year earlier, the start of every "last 12 months" figure (the book of
    business, the 360° page, the API). 29 February goes back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# MRR in SQL --------------------------------------------------------------------------------


class _Divide(Func):
    """``a / b`` as exact numeric. SQLite stores whole decimals as integers and would divide
    them as integers, so there the dividend is made real first."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = MONEY

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, arg_joiner=" * 1.0 / ", **extra)


def mrr_expression(prefix: str = "") -> Case:
    """A contract's MRR as an SQL expression; ``prefix`` reaches it through a relation
    (``"contracts__"`` from Account)."""
    value = F(f"{prefix}recurring_value")
    return Case(
        When(**{f"{prefix}value_period": Contract.ValuePeriod.MONTH}, then=value),
        default=_Divide(value, F(f"{prefix}term_months")),
        output_field=MONEY,
    )


def active_on(day: date, prefix: str = "") -> Q:
    """Contracts running on ``day``: started on or before it, ending after it."""
    return Q(**{f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gt": day})


def _accounts(accounts: Accounts) -> QuerySet[Account]:
    if isinstance(accounts, Account):
        return Account.objects.filter(pk=accounts.pk)
    return accounts


def _contracts(accounts: Accounts, day: date) -> QuerySet[Contract]:
    if isinstance(accounts, Account):
        contracts = Contract.objects.filter(account_id=accounts.pk)
    else:
        contracts = Contract.objects.filter(account__in=accounts.order_by().values("pk"))
    return contracts.filter(active_on(day)).order_by()


# Figures at a date ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Recurring revenue on one day for a set of accounts."""

    mrr: Decimal
    paying_accounts: int

    @property
    def arr(self) -> Decimal:
        return self.mrr * MONTHS_PER_YEAR

    @property
    def arpa(self) -> Decimal | None:
        """Total MRR / paying accounts; None when none pays."""
        return ratio(self.mrr, self.paying_accounts)


def snapshot(accounts: Accounts, day: date) -> Snapshot:
    """MRR, ARR and ARPA on ``day``, in one query. Accounts with no running contract (or
    only zero-value ones) are not paying."""
    row = _contracts(accounts, day).aggregate(**_snapshot_aggregates())
    return Snapshot(mrr=row["mrr"], paying_accounts=row["paying"])


def _snapshot_aggregates() -> dict[str, Any]:
    return {
        "mrr": Coalesce(Sum(mrr_expression()), Value(ZERO), output_field=MONEY),
        "paying": Count("account", distinct=True, filter=Q(recurring_value__gt=0)),
    }


def snapshot_query(accounts: QuerySet[Account], day: date) -> QuerySet[Any]:
    """:func:`snapshot`'s one row, ``(mrr, paying accounts)``, as a query: for a caller that
    compiles it once and runs it again and again."""
    return (
        _contracts(accounts, day)
        .annotate(one=Value(1, output_field=IntegerField()))
        .values("one")  # no GROUP BY: one row, as aggregate() gives
        .annotate(**_snapshot_aggregates())
        .values_list("mrr", "paying")
    )


def mrr(accounts: Accounts, day: date) -> Decimal:
    return snapshot(accounts, day).mrr


def arr(accounts: Accounts, day: date) -> Decimal:
    return snapshot(accounts, day).arr


def arpa(accounts: Accounts, day: date) -> Decimal | None:
    return snapshot(accounts, day).arpa


def mrr_by_account(accounts: Accounts, day: date) -> dict[int, Decimal]:
    """MRR per account id on ``day`` (accounts without MRR are left out), in one query."""
    rows = (
        _contracts(accounts, day)
        .values("account_id")
        .annotate(monthly=Sum(mrr_expression()))
        .values_list("account_id", "monthly")
    )
    return {account_id: value for account_id, value in rows if value}


def arr_by_currency(accounts: Accounts, day: date) -> dict[str, Decimal]:
    """The annual contract value of the contracts running on ``day`` (their MRR x 12), per
    currency: amounts in different currencies are never added together. One query."""
    rows = (
        _contracts(accounts, day)
        .values("currency")
        .annotate(monthly=Sum(mrr_expression()))
        .values_list("currency", "monthly")
    )
    return {currency: monthly * MONTHS_PER_YEAR for currency, monthly in rows if monthly}


def with_arr(accounts: QuerySet[Account], day: date) -> QuerySet[Account]:
    """Accounts annotated with ``arr`` on ``day``: the MRR of their running contracts x 12, as
    :func:`snapshot` counts it (None for an account with no running contract). A subquery, so
    a page of accounts sorted by ARR costs one query."""
    monthly = (
        Contract.objects.filter(active_on(day), account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum(mrr_expression()))
        .values("total")
    )
    return accounts.annotate(
        arr=ExpressionWrapper(
            Subquery(monthly, output_field=MONEY) * Value(MONTHS_PER_YEAR), output_field=MONEY
        )
    )


def snapshot_by_segment(accounts: Accounts, day: date) -> dict[str, Snapshot]:
    """One :class:`Snapshot` per account segment that has contracts running on ``day``."""
    rows = (
        _contracts(accounts, day)
        .values("account__segment")
        .annotate(
            monthly=Sum(mrr_expression()),
            paying=Count("account", distinct=True, filter=Q(recurring_value__gt=0)),
        )
    )
    return {
        row["account__segment"]: Snapshot(mrr=row["monthly"] or ZERO, paying_accounts=row["paying"])
        for row in rows
    }


# Figures over a period -----------------------------------------------------------------------


@dataclass(frozen=True)
class AccountMovement:
    """One account's MRR at the start and end of a period."""

    account_id: int
    segment: str
    start: Decimal
    end: Decimal
    paid_before: bool  # had a contract before the period began
    won: Decimal = ZERO  # MRR of the upsell leads won in the period (their ARR / 12)
    booked: Decimal = ZERO  # MRR of the expansion contracts that started in the period

    @property
    def won_expansion(self) -> Decimal:
        """The won leads' MRR not booked yet as expansion contracts, for an account paying
        at the start and still paying at the end."""
        if self.start <= 0 or self.end <= 0:
            return ZERO
        return max(self.won - self.booked, ZERO)

    @property
    def kind(self) -> str:
        """expansion, contraction, churn, new, reactivation, flat or none."""
        if self.start > 0:
            if self.end == 0:
                return "churn"
            if self.end > self.start:
                return "expansion"
            return "contraction" if self.end < self.start else "flat"
        if self.end > 0:
            return "reactivation" if self.paid_before else "new"
        return "none"


@dataclass(frozen=True)
class Period:
    """Revenue movements between ``start`` and ``end`` for a set of accounts.

    ``starting_mrr`` is the MRR on ``start`` of the accounts paying then; ``ending_mrr`` all
    MRR on ``end``. Expansion, contraction and churned MRR are movements of the accounts paying
    at the start; new and reactivation MRR come from those who were not.
    """

    start: date
    end: date
    starting_mrr: Decimal = ZERO
    ending_mrr: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned_mrr: Decimal = ZERO
    new_mrr: Decimal = ZERO
    reactivation_mrr: Decimal = ZERO
    customers_at_start: int = 0
    customers_at_end: int = 0
    new_customers: int = 0  # paying at end, not at start (reactivated ones included)
    lost_customers: int = 0

    @classmethod
    def from_movements(cls, start: date, end: date, moves: Iterable[AccountMovement]) -> Period:
        sums: dict[str, Any] = defaultdict(lambda: ZERO)
        counts: dict[str, Any] = defaultdict(int)
        for move in moves:
            kind = move.kind
            sums["ending_mrr"] += move.end
            if move.start > 0:
                sums["starting_mrr"] += move.start
                counts["customers_at_start"] += 1
            if move.end > 0:
                counts["customers_at_end"] += 1
            sums["expansion"] += move.won_expansion
            if kind == "expansion":
                sums["expansion"] += move.end - move.start
            elif kind == "contraction":
                sums["contraction"] += move.start - move.end
            elif kind == "churn":
                sums["churned_mrr"] += move.start
                counts["lost_customers"] += 1
            elif kind in ("new", "reactivation"):
                sums["reactivation_mrr" if kind == "reactivation" else "new_mrr"] += move.end
                counts["new_customers"] += 1
        return cls(start=start, end=end, **sums, **counts)

    @property
    def expansion_revenue(self) -> Decimal:
        """MRR added by accounts already paying at the start (upsell, cross-sell), won
        upsell leads included."""
        return self.expansion

    @property
    def nrr(self) -> Decimal | None:
        """(starting MRR + expansion - contraction - churned MRR) / starting MRR."""
        retained = self.starting_mrr + self.expansion - self.contraction - self.churned_mrr
        return ratio(retained, self.starting_mrr)

    @property
    def grr(self) -> Decimal | None:
        """NRR without expansion: never above 100%."""
        retained = self.starting_mrr - self.contraction - self.churned_mrr
        return ratio(retained, self.starting_mrr)

    @property
    def gross_mrr_churn(self) -> Decimal | None:
        """(contraction + churned MRR) / starting MRR."""
        return ratio(self.contraction + self.churned_mrr, self.starting_mrr)

    @property
    def net_mrr_churn(self) -> Decimal | None:
        """(contraction + churned - expansion - reactivation) / starting MRR; negative when
        growth from existing and returning customers outweighs the losses."""
        lost = self.contraction + self.churned_mrr - self.expansion - self.reactivation_mrr
        return ratio(lost, self.starting_mrr)

    @property
    def customer_churn_rate(self) -> Decimal | None:
        """Customers lost / customers at the start."""
        return ratio(self.lost_customers, self.customers_at_start)

    @property
    def customer_retention_rate(self) -> Decimal | None:
        """(customers at end - new customers) / customers at start."""
        return ratio(self.customers_at_end - self.new_customers, self.customers_at_start)

    @property
    def arpa_at_start(self) -> Decimal | None:
        return ratio(self.starting_mrr, self.customers_at_start)

    def clv(self, gross_margin: Decimal | None = None) -> Decimal | None:
        """ARPA at the start / this period's customer churn rate (see :func:`clv`); meant for
        a period of one month."""
        return clv(self.arpa_at_start, self.customer_churn_rate, gross_margin)


def movements(accounts: Accounts, start: date, end: date) -> list[AccountMovement]:
    """Each account's MRR on ``start`` and ``end``, in one query (one row per account that
    has a contract running on either day)."""
    if end < start:
        raise ValueError("A period cannot end before it starts.")
    rows = (
        _accounts(accounts)
        .order_by()
        .filter(Q(active_on(start, "contracts__")) | Q(active_on(end, "contracts__")))
        .values("pk", "segment")
        .annotate(
            mrr_start=Sum(mrr_expression("contracts__"), filter=active_on(start, "contracts__")),
            mrr_end=Sum(mrr_expression("contracts__"), filter=active_on(end, "contracts__")),
            booked=Sum(
                mrr_expression("contracts__"),
                filter=Q(
                    contracts__kind=ContractKind.EXPANSION,
                    contracts__starts_on__gt=start,
                    contracts__starts_on__lte=end,
                ),
            ),
            won=Subquery(
                UpsellLead.objects.filter(
                    account=OuterRef("pk"),
                    status=UpsellLead.Status.WON,
                    won_on__gt=start,
                    won_on__lte=end,
                )
                .order_by()
                .values("account")
                .annotate(total=Sum("won_amount"))
                .values("total"),
                output_field=MONEY,
            ),
        )
    )
    paid_before = set(
        Contract.objects.filter(
            account__in=_accounts(accounts).order_by().values("pk"),
            starts_on__lt=start,
            recurring_value__gt=0,
        ).values_list("account_id", flat=True)
    )
    return [
        AccountMovement(
            account_id=row["pk"],
            segment=row["segment"],
            start=row["mrr_start"] or ZERO,
            end=row["mrr_end"] or ZERO,
            paid_before=row["pk"] in paid_before,
            won=(row["won"] or ZERO) / MONTHS_PER_YEAR,
            booked=row["booked"] or ZERO,
        )
        for row in rows
    ]


def period(accounts: Accounts, start: date, end: date) -> Period:
    """Every period figure for ``accounts`` from ``start`` to ``end`` (two queries)."""
    return Period.from_movements(start, end, movements(accounts, start, end))


def period_by_segment(accounts: Accounts, start: date, end: date) -> dict[str, Period]:
    """One :class:`Period` per segment, from the same two queries."""
    return period_and_segments(accounts, start, end)[1]


def period_and_segments(
    accounts: Accounts, start: date, end: date
) -> tuple[Period, dict[str, Period]]:
    """:func:`period` and :func:`period_by_segment` together, from one reading of the
    movements (two queries, not four)."""
    moves = movements(accounts, start, end)
    by_segment: dict[str, list[AccountMovement]] = defaultdict(list)
    for move in moves:
        by_segment[move.segment].append(move)
    segments = {
        segment: Period.from_movements(start, end, seg_moves)
        for segment, seg_moves in by_segment.items()
    }
    return Period.from_movements(start, end, moves), segments


def nrr(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).nrr


def grr(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).grr


def expansion_revenue(accounts: Accounts, start: date, end: date) -> Decimal:
    return period(accounts, start, end).expansion_revenue


def customer_churn_rate(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).customer_churn_rate


def customer_retention_rate(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).customer_retention_rate


def gross_mrr_churn(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).gross_mrr_churn


def net_mrr_churn(accounts: Accounts, start: date, end: date) -> Decimal | None:
    return period(accounts, start, end).net_mrr_churn


def clv(
    arpa: Decimal | None, monthly_churn_rate: Decimal | None, gross_margin: Decimal | None = None
) -> Decimal | None:
    """ARPA (x gross margin, a fraction) / monthly churn rate; None without churn or ARPA."""
    if arpa is None or not monthly_churn_rate:
        return None
    value = arpa * gross_margin if gross_margin is not None else arpa
    return value / monthly_churn_rate

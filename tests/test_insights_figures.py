"""Revenue figures against hand-computed data, the glossaries' worked examples among them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from accounts.models import Account, Segment
from insights.figures import revenue
from insights.figures.revenue import Period, Snapshot, clv
from insights.figures.usage import stickiness
from insights.models import Contract
from insights.services.ingest import upsert_contracts
from portal.formatting import money, rate
from tests.factories import AccountFactory
from tests.queries import counting

D = Decimal
START, END = date(2026, 1, 1), date(2026, 2, 1)
_ids = count(1)


def contract(
    account: Account,
    value: str,
    *,
    starts: date,
    ends: date,
    months: int = 12,
    per: str = "total",
    **extra: Any,
) -> Contract:
    return Contract.objects.create(
        account=account,
        external_id=f"c-{next(_ids)}",
        recurring_value=D(value),
        value_period=per,
        term_months=months,
        starts_on=starts,
        ends_on=ends,
        **extra,
    )


def monthly(account: Account, value: str, starts: date, ends: date) -> Contract:
    return contract(account, value, starts=starts, ends=ends, per="month", months=1)


# The glossaries' worked examples -------------------------------------------------------------


def test_six_months_for_1000_is_mrr_166_67_and_arr_2000(db: None) -> None:
    account = AccountFactory.create()
    contract(account, "1000", starts=START, ends=date(2026, 7, 1), months=6)
    figures = revenue.snapshot(account, START)
    assert money(figures.mrr, 2) == "€166.67"
    assert money(figures.arr) == "€2,000"


def test_24_months_for_3000_is_arr_1500(db: None) -> None:
    account = AccountFactory.create()
    contract(account, "3000", starts=START, ends=date(2028, 1, 1), months=24)
    assert money(revenue.arr(account, START)) == "€1,500"


def test_mrr_examples_600_over_6_and_12000_over_24(db: None) -> None:
    a, b = AccountFactory.create(), AccountFactory.create()
    contract(a, "600", starts=START, ends=date(2026, 7, 1), months=6)
    contract(b, "12000", starts=START, ends=date(2028, 1, 1), months=24)
    assert revenue.mrr_by_account(Account.objects.all(), START) == {a.pk: D(100), b.pk: D(500)}


def test_arpa_500000_over_1000_accounts_is_500() -> None:
    assert Snapshot(mrr=D(500_000), paying_accounts=1000).arpa == D(500)


def test_retention_200_at_start_5_new_202_at_end_is_98_5_percent() -> None:
    period = Period(START, END, customers_at_start=200, new_customers=5, customers_at_end=202)
    assert period.customer_retention_rate == D("0.985")
    assert rate(period.customer_retention_rate, 1) == "98.5%"


def test_clv_200_over_2_percent_is_10000() -> None:
    assert clv(D(200), D("0.02")) == D(10_000)
    assert clv(D(200), D("0.02"), gross_margin=D("0.8")) == D(8_000)


def test_stickiness_2500_over_5000_is_50_percent() -> None:
    assert stickiness(2500, 5000) == D("0.5")
    assert rate(stickiness(2500, 5000)) == "50%"


# MRR at a date ---------------------------------------------------------------------------------


def test_a_contract_counts_from_its_start_until_the_day_before_its_end(db: None) -> None:
    account = AccountFactory.create()
    monthly(account, "100", date(2026, 1, 10), date(2026, 1, 20))
    assert revenue.mrr(account, date(2026, 1, 9)) == 0
    assert revenue.mrr(account, date(2026, 1, 10)) == 100
    assert revenue.mrr(account, date(2026, 1, 19)) == 100
    assert revenue.mrr(account, date(2026, 1, 20)) == 0


def test_one_off_fees_are_not_recurring(db: None) -> None:
    account = AccountFactory.create()
    contract(account, "1200", starts=START, ends=date(2027, 1, 1), one_off_fees=D("5000"))
    assert revenue.mrr(account, START) == 100


def test_arpa_counts_paying_accounts_only(db: None) -> None:
    a, b = AccountFactory.create(), AccountFactory.create()
    AccountFactory.create()  # no contract: not paying
    contract(a, "12000", starts=START, ends=date(2027, 1, 1))  # 1,000 a month
    monthly(b, "500", START, END)
    monthly(b, "1500", START, END)  # b: 2,000 a month
    figures = revenue.snapshot(Account.objects.all(), START)
    assert figures == Snapshot(mrr=D(3000), paying_accounts=2)
    assert figures.arpa == D(1500)
    assert revenue.arr(Account.objects.all(), START) == D(36000)


def test_mrr_by_segment(db: None) -> None:
    a = AccountFactory.create(segment=Segment.ENTERPRISE)
    b = AccountFactory.create(segment=Segment.SMB)
    c = AccountFactory.create(segment=Segment.SMB)
    monthly(a, "900", START, END)
    monthly(b, "100", START, END)
    monthly(c, "300", START, END)
    segments = revenue.snapshot_by_segment(Account.objects.all(), START)
    assert segments == {
        Segment.ENTERPRISE: Snapshot(D(900), 1),
        Segment.SMB: Snapshot(D(400), 2),
    }
    assert segments[Segment.SMB].arpa == D(200)


def test_a_portfolio_is_any_queryset_of_accounts(db: None) -> None:
    a, b = AccountFactory.create(), AccountFactory.create()
    monthly(a, "100", START, END)
    monthly(b, "200", START, END)
    assert revenue.mrr(Account.objects.filter(owner=a.owner), START) == 100


def test_no_contracts_is_zero_mrr_and_no_arpa(db: None) -> None:
    AccountFactory.create()
    figures = revenue.snapshot(Account.objects.all(), START)
    assert figures.mrr == 0
    assert figures.arr == 0
    assert figures.arpa is None
    assert revenue.snapshot(Account.objects.none(), START).arpa is None


# A period ------------------------------------------------------------------------------------


@pytest.fixture
def movements(db: None) -> dict[str, Account]:
    """Six accounts over January 2026, every kind of movement (MRR at start -> end):

    expansion 1000 -> 1500, contraction 2000 -> 1200, churn 700 -> 0, flat 1000 -> 1000,
    new 0 -> 300, reactivation 0 -> 400 (paid in 2025).
    """
    accounts = {
        name: AccountFactory.create(
            segment=Segment.SMB if name in ("churn", "new") else Segment.ENTERPRISE
        )
        for name in ("expansion", "contraction", "churn", "flat", "new", "reactivation")
    }
    later = date(2026, 12, 31)
    monthly(accounts["expansion"], "1000", date(2025, 6, 1), later)
    monthly(accounts["expansion"], "500", date(2026, 1, 15), later)
    monthly(accounts["contraction"], "2000", date(2025, 1, 20), date(2026, 1, 20))
    monthly(accounts["contraction"], "1200", date(2026, 1, 20), later)
    monthly(accounts["churn"], "700", date(2025, 1, 10), date(2026, 1, 10))
    contract(accounts["flat"], "12000", starts=date(2025, 3, 1), ends=date(2026, 3, 1))
    monthly(accounts["new"], "300", date(2026, 1, 5), later)
    monthly(accounts["reactivation"], "400", date(2025, 1, 1), date(2025, 12, 1))
    monthly(accounts["reactivation"], "400", date(2026, 1, 20), later)
    return accounts


def test_period_movements_by_hand(movements: dict[str, Account]) -> None:
    period = revenue.period(Account.objects.all(), START, END)
    assert period.starting_mrr == D(4700)  # 1000 + 2000 + 700 + 1000
    assert period.ending_mrr == D(4400)  # 1500 + 1200 + 1000 + 300 + 400
    assert (period.expansion, period.contraction, period.churned_mrr) == (500, 800, 700)
    assert (period.new_mrr, period.reactivation_mrr) == (300, 400)
    assert (period.customers_at_start, period.customers_at_end) == (4, 5)
    assert (period.new_customers, period.lost_customers) == (2, 1)


def test_nrr_grr_and_mrr_churn_by_hand(movements: dict[str, Account]) -> None:
    period = revenue.period(Account.objects.all(), START, END)
    assert period.nrr == D(4700 + 500 - 800 - 700) / D(4700)
    assert rate(period.nrr, 1) == "78.7%"
    assert period.grr == D(4700 - 800 - 700) / D(4700)
    assert rate(period.grr, 1) == "68.1%"
    assert period.gross_mrr_churn == D(800 + 700) / D(4700)
    assert period.net_mrr_churn == D(800 + 700 - 500 - 400) / D(4700)
    assert period.expansion_revenue == D(500)


def test_customer_churn_and_retention_by_hand(movements: dict[str, Account]) -> None:
    period = revenue.period(Account.objects.all(), START, END)
    assert period.customer_churn_rate == D("0.25")  # 1 lost of 4
    assert period.customer_retention_rate == D("0.75")  # (5 at end - 2 new) / 4


def test_the_shortcuts_agree_with_the_period(movements: dict[str, Account]) -> None:
    accounts = Account.objects.all()
    period = revenue.period(accounts, START, END)
    assert revenue.nrr(accounts, START, END) == period.nrr
    assert revenue.grr(accounts, START, END) == period.grr
    assert revenue.expansion_revenue(accounts, START, END) == D(500)
    assert revenue.customer_churn_rate(accounts, START, END) == D("0.25")
    assert revenue.customer_retention_rate(accounts, START, END) == D("0.75")
    assert revenue.gross_mrr_churn(accounts, START, END) == period.gross_mrr_churn
    assert revenue.net_mrr_churn(accounts, START, END) == period.net_mrr_churn


def test_movement_kinds(movements: dict[str, Account]) -> None:
    kinds = {m.account_id: m.kind for m in revenue.movements(Account.objects.all(), START, END)}
    assert kinds == {account.pk: name for name, account in movements.items()}


def test_period_by_segment(movements: dict[str, Account]) -> None:
    segments = revenue.period_by_segment(Account.objects.all(), START, END)
    smb, enterprise = segments[Segment.SMB], segments[Segment.ENTERPRISE]
    assert (smb.starting_mrr, smb.churned_mrr, smb.new_mrr) == (700, 700, 300)
    assert smb.nrr == 0
    assert enterprise.starting_mrr == D(4000)
    assert enterprise.nrr == D(4000 + 500 - 800) / D(4000)


def test_one_account_over_a_period(movements: dict[str, Account]) -> None:
    assert revenue.nrr(movements["expansion"], START, END) == D("1.5")
    assert revenue.grr(movements["expansion"], START, END) == 1


def test_grr_is_never_above_100_percent(db: None) -> None:
    account = AccountFactory.create()
    monthly(account, "100", date(2025, 1, 1), date(2027, 1, 1))
    monthly(account, "900", date(2026, 1, 10), date(2027, 1, 1))
    period = revenue.period(account, START, END)
    assert period.nrr == 10
    assert period.grr == 1


def test_clv_of_a_month(movements: dict[str, Account]) -> None:
    period = revenue.period(Account.objects.all(), START, END)
    assert period.arpa_at_start == D(4700) / 4
    assert period.clv() == (D(4700) / 4) / D("0.25")
    assert period.clv(gross_margin=D("0.5")) == (D(4700) / 4) * D("0.5") / D("0.25")


def test_an_empty_period_is_no_data(db: None) -> None:
    AccountFactory.create()
    period = revenue.period(Account.objects.all(), START, END)
    assert period.starting_mrr == 0
    for figure in (
        period.nrr,
        period.grr,
        period.gross_mrr_churn,
        period.net_mrr_churn,
        period.customer_churn_rate,
        period.customer_retention_rate,
        period.arpa_at_start,
        period.clv(),
    ):
        assert figure is None
    assert period.expansion_revenue == 0


def test_new_accounts_only_is_no_retention_figure(db: None) -> None:
    monthly(AccountFactory.create(), "100", date(2026, 1, 5), date(2026, 3, 1))
    period = revenue.period(Account.objects.all(), START, END)
    assert period.new_customers == 1
    assert period.nrr is None
    assert period.customer_retention_rate is None


def test_no_churn_is_no_clv_not_a_division_by_zero() -> None:
    assert clv(D(200), D(0)) is None
    assert clv(None, D("0.02")) is None


def test_a_period_cannot_end_before_it_starts(db: None) -> None:
    with pytest.raises(ValueError, match="end before"):
        revenue.period(Account.objects.all(), END, START)


def test_rounding_is_half_up_and_only_for_display() -> None:
    assert money(D("0.125"), 2) == "€0.13"
    assert money(None) is None
    assert rate(None) is None
    assert revenue.ratio(1, 0) is None


@pytest.mark.parametrize(
    "day,before",
    [
        (date(2026, 5, 17), date(2025, 5, 17)),
        (date(2028, 2, 29), date(2027, 2, 28)),  # a leap day has no twin a year before
        (date(2026, 1, 1), date(2025, 1, 1)),
    ],
)
def test_a_year_before(day: date, before: date) -> None:
    assert revenue.year_before(day) == before


# Query counts -------------------------------------------------------------------------------


def make_paying_accounts(n: int) -> None:
    accounts = [AccountFactory.create(segment=list(Segment)[i % 3]) for i in range(n)]
    upsert_contracts(
        {
            "account_id": account.pk,
            "external_id": f"x-{i}",
            "recurring_value": D(1200 + i),
            "term_months": 12,
            "starts_on": date(2025, 1, 1) + timedelta(days=i),
            "ends_on": date(2026, 1, 15) + timedelta(days=i % 40),
        }
        for i, account in enumerate(accounts)
    )


def queries_for_revenue() -> int:
    accounts = Account.objects.all()
    with counting() as captured:
        revenue.snapshot(accounts, START)
        revenue.snapshot_by_segment(accounts, START)
        revenue.mrr_by_account(accounts, START)
        revenue.period(accounts, START, END)
        revenue.period_by_segment(accounts, START, END)
    return len(captured)


def test_revenue_for_3_and_for_60_accounts_takes_the_same_queries(db: None) -> None:
    make_paying_accounts(3)
    few = queries_for_revenue()
    make_paying_accounts(57)
    assert Account.objects.count() == 60
    assert queries_for_revenue() == few == 7
    assert revenue.snapshot(Account.objects.all(), START).paying_accounts == 60

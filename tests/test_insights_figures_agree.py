"""The same contracts and usage read the same everywhere: the book of business, the account's
360° page, the account page's usage panel and the API's figures endpoint print the same ARR
(with the currency on pages), NRR, GRR, MAU and stickiness, because each takes it from the same
function of insights.figures and prints it through portal.formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from insights.figures import revenue, usage
from insights.models import AccountFacts, Contract, UpsellLead, UsageDay
from portal.formatting import money, rate, rounded
from tests.conftest import World, client_for
from tests.insights_helpers import bearer, get_360, make_key
from tests.panels import account_page

DAY = date(2026, 5, 13)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def contract(world: World, external_id: str, starts: date, months: int, value: str) -> None:
    Contract.objects.create(
        account=world.account, external_id=external_id, starts_on=starts,
        ends_on=date(starts.year + (starts.month - 1 + months) // 12,
                     (starts.month - 1 + months) % 12 + 1, starts.day),
        recurring_value=Decimal(value), term_months=months,
    )  # fmt: skip


@pytest.fixture
def acme(world: World) -> World:
    """Acme, the only account of its CSM's book: a contract that runs all year (MRR
    1,042.0833…), one that ended (208.3333…) and an expansion (508.3333…); usage rolled up
    until yesterday (tonight's roll-up has not run), an older and different roll-up before."""
    contract(world, "C-1", date(2025, 1, 1), 24, "25010")
    contract(world, "C-2", date(2025, 3, 1), 12, "2500")
    contract(world, "C-3", date(2026, 1, 1), 12, "6100")
    for days_ago, (dau, wau, mau) in {1: (7, 13, 21), 5: (9, 20, 40)}.items():
        UsageDay.objects.create(
            account=world.account, day=DAY - timedelta(days=days_ago), active_users=dau,
            weekly_active_users=wau, monthly_active_users=mau, events=50,
        )  # fmt: skip
    AccountFacts.objects.create(account=world.account, licensed_seats=30)
    return world


def surfaces(world: World) -> dict[str, Any]:
    """What each surface prints: three pages' HTML and the API's JSON."""
    csm = client_for(world.csm)
    key = make_key(world.admin, ["read_figures"])
    return {
        "book": csm.get("/book/", {"period": "year"}).content.decode(),
        "360": get_360(csm, "/a/acme/360/").content.decode(),
        "panel": account_page(client_for(world.executive), "acme").content.decode(),
        "api": Client().get("/api/v1/accounts/acme/figures", **bearer(key)).json(),
    }


def test_every_surface_prints_the_same_figures(acme: World) -> None:
    start = revenue.year_before(DAY)
    now = revenue.snapshot(acme.account, DAY)
    period = revenue.period(acme.account, start, DAY)
    activity = usage.latest_activity(acme.account, DAY)
    assert activity is not None
    # By hand: MRR 1,042.0833 + 508.3333 today, 1,042.0833 + 208.3333 a year ago.
    assert rounded(now.arr, 2) == Decimal("18605.00")
    assert rate(period.nrr, 1) == "124.0%" and rate(period.grr, 1) == "100.0%"
    assert (activity.day, activity.mau) == (DAY - timedelta(days=1), 21)
    assert rate(activity.stickiness, 1) == "61.9%"  # 13 / 21

    shown = surfaces(acme)
    for page in ("book", "360"):
        assert "€18,605" in shown[page], page
        assert "124.0%" in shown[page] and "100.0%" in shown[page], page
    for page in ("360", "panel"):
        assert ">21<" in shown[page] and "61.9%" in shown[page], page
    api = shown["api"]
    assert api["currency"] == "EUR" and api["revenue"]["arr"] == "18605.00"
    assert (api["period"]["nrr_percent"], api["period"]["grr_percent"]) == ("124.0", "100.0")
    assert api["period"]["start"] == start.isoformat()
    assert (api["usage"]["mau"], api["usage"]["stickiness_percent"]) == (21, "61.9")
    assert money(Decimal(api["revenue"]["arr"]), currency=api["currency"]) == "€18,605"


def test_each_surface_takes_them_from_the_one_function(
    acme: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Change what the figures say and every surface says it: none computes its own."""
    monkeypatch.setattr(revenue.Snapshot, "arr", property(lambda s: Decimal("123456.789")))
    monkeypatch.setattr(revenue.Period, "nrr", property(lambda p: Decimal("0.4321")))
    monkeypatch.setattr(revenue.Period, "grr", property(lambda p: Decimal("0.1234")))
    monkeypatch.setattr(usage.Activity, "stickiness", property(lambda a: Decimal("0.0987")))
    real = usage.latest_activity

    def latest(account: Any, day: date, **kwargs: Any) -> Any:
        found = real(account, day, **kwargs)
        return found and usage.Activity(found.day, 3, 5, 777, 9, found.licensed_seats)

    monkeypatch.setattr(usage, "latest_activity", latest)

    shown = surfaces(acme)
    for page in ("book", "360"):
        assert "€123,457" in shown[page], page
        assert "43.2%" in shown[page] and "12.3%" in shown[page], page
    for page in ("360", "panel"):
        assert ">777<" in shown[page] and "9.9%" in shown[page], page
    api = shown["api"]
    assert api["revenue"]["arr"] == "123456.79"
    assert (api["period"]["nrr_percent"], api["period"]["grr_percent"]) == ("43.2", "12.3")
    assert (api["usage"]["mau"], api["usage"]["stickiness_percent"]) == (777, "9.9")


def test_a_won_upsell_lead_is_expansion_on_every_surface(acme: World) -> None:
    """A lead won in the period adds its ARR / 12 to expansion: the book, the 360° page and the
    API print the same NRR with it, and GRR without it."""
    UpsellLead.objects.create(
        account=acme.account, reason="Ten more seats", rule="hand", status="won",
        won_amount=Decimal("6000"), won_on=date(2026, 3, 1), amount_guess=Decimal("6000"),
    )  # fmt: skip
    # Not in the period (won before it started), so not counted.
    UpsellLead.objects.create(
        account=acme.account, reason="Old win", rule="hand", status="won",
        won_amount=Decimal("99000"), won_on=date(2025, 4, 1),
    )  # fmt: skip
    start_mrr = Decimal("25010") / 24 + Decimal("2500") / 12
    expansion = Decimal("6100") / 12 - Decimal("2500") / 12 + Decimal("6000") / 12
    expected = rate((start_mrr + expansion) / start_mrr, 1)
    assert expected == "164.0%"
    period = revenue.period(acme.account, revenue.year_before(DAY), DAY)
    assert rate(period.nrr, 1) == expected and rate(period.grr, 1) == "100.0%"
    shown = surfaces(acme)
    for page in ("book", "360"):
        assert expected in shown[page] and "100.0%" in shown[page], page
    assert shown["api"]["period"]["nrr_percent"] == expected.rstrip("%")

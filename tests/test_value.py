"""Value realized: the figures, the page, the panel, and bad input refused with nothing lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Activity
from tests.conftest import World, client_for
from tests.snapshot import unchanged
from tests.value_factories import ValueKPIFactory, contract, kpi_with_readings
from value.figures import account_value, annual_value, panel_value
from value.models import Period, ValueKPI, ValueReading

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def definition(**overrides: str) -> dict[str, str]:
    return {
        "name": "Hours saved",
        "driver": "time",
        "unit": "hours",
        "baseline": "0",
        "current": "120",
        "unit_value": "55.00",
        "currency": "eur",
        "period": "month",
        "agreed_with": "Eli",
        "notes": "",
        "shared": "on",
        **overrides,
    }


# The figures --------------------------------------------------------------------------------


def test_a_monthly_gain_is_worth_twelve_months_of_its_unit_value(world: World) -> None:
    kpi = ValueKPIFactory.build(baseline=Decimal(20), unit_value=Decimal("55.00"))
    assert annual_value(kpi, Decimal(120)) == Decimal(100) * Decimal(55) * 12


def test_a_fall_is_the_gain_where_lower_is_better_and_a_one_off_counts_once(world: World) -> None:
    tickets = ValueKPIFactory.build(
        baseline=Decimal(900), lower_is_better=True, unit_value=Decimal(18), period=Period.YEAR
    )
    assert annual_value(tickets, Decimal(600)) == Decimal(300 * 18)
    licences = ValueKPIFactory.build(unit_value=Decimal(600), period=Period.ONE_OFF)
    assert annual_value(licences, Decimal(40)) == Decimal(24000)
    assert annual_value(tickets, Decimal(1000)) == Decimal(-100 * 18)  # ground lost shows


def test_value_realized_is_added_up_per_currency_and_compared_with_its_own_contracts(
    world: World,
) -> None:
    kpi_with_readings(world.account, [(TODAY, "100")], unit_value=Decimal(50))  # 60,000 EUR
    kpi_with_readings(world.account, [(TODAY, "10")], unit_value=Decimal(100))  # 12,000 EUR
    kpi_with_readings(world.account, [(TODAY, "5")], unit_value=Decimal(100), currency="USD")
    kpi_with_readings(world.account, [(TODAY, "999")], shared=False)  # a draft: not counted
    contract(world.account, "24000")
    contract(world.account, "100000", currency="GBP")  # no value in GBP: never mixed in

    figures = account_value(world.account)

    eur, usd = figures.totals
    assert (eur.currency, eur.value, eur.cost) == ("EUR", Decimal(72000), Decimal(24000))
    assert (eur.roi, eur.multiple) == (Decimal(2), Decimal(3))
    assert (eur.value_text, eur.multiple_text, eur.roi_text) == ("€72,000", "3.0×", "+200%")
    assert (usd.currency, usd.value, usd.cost, usd.roi) == ("USD", Decimal(6000), None, None)
    assert figures.drafts == []
    assert len(account_value(world.account, with_drafts=True).drafts) == 1


def test_a_past_day_reads_the_readings_up_to_it(world: World) -> None:
    kpi_with_readings(
        world.account,
        [(TODAY - timedelta(days=60), "10"), (TODAY - timedelta(days=30), "20"), (TODAY, "30")],
    )
    kpi_with_readings(world.account, [(TODAY, "5")], name="Too new")
    back_then = account_value(world.account, day=TODAY - timedelta(days=31))
    assert [(f.kpi.unit, f.current) for f in back_then.kpis] == [("hours", Decimal(10))]
    assert account_value(world.account).headline.value == (30 + 5) * 55 * 12  # type: ignore[union-attr]


def test_the_figures_cost_the_same_queries_for_one_kpi_and_for_many(world: World) -> None:
    contract(world.account, "24000")
    kpi_with_readings(world.account, [(TODAY - timedelta(days=1), "1"), (TODAY, "2")])
    with CaptureQueriesContext(connection) as one:
        account_value(world.account, with_drafts=True)
    for n in range(12):
        kpi_with_readings(world.account, [(TODAY, str(n))], currency="EUR" if n % 2 else "USD")
    with CaptureQueriesContext(connection) as many:
        account_value(world.account, with_drafts=True)
    assert len(one) == len(many) == 3


# The page -----------------------------------------------------------------------------------


def test_the_csm_defines_a_kpi_and_its_first_reading_is_today(world: World) -> None:
    response = client_for(world.csm).post(reverse("value_kpi_create", args=["acme"]), definition())
    assert response.status_code == 302
    kpi = ValueKPI.objects.get(account=world.account)
    assert (kpi.currency, kpi.current, kpi.unit_value) == ("EUR", Decimal(120), Decimal(55))
    assert list(kpi.readings.values_list("day", "quantity")) == [(TODAY, Decimal(120))]
    assert Activity.objects.filter(verb="defined a value KPI", account=world.account).exists()


@pytest.mark.parametrize(
    "field,bad,message",
    [
        ("unit_value", "-5", "cannot be negative"),
        ("baseline", "lots", "Enter a number"),
        ("current", "12,5a", "Enter a number"),
        ("currency", "XYZ", "is not a currency code"),
    ],
)
def test_a_bad_definition_is_refused_and_nothing_is_saved(
    world: World, field: str, bad: str, message: str
) -> None:
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("value_kpi_create", args=["acme"]), definition(**{field: bad})
        )
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_bad_edit_keeps_the_kpi_as_it_was(world: World) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY, "120")], name="Hours saved")
    data = definition(unit_value="-1", name="Renamed")
    del data["current"]
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("value_kpi_edit", args=["acme", kpi.pk]), data)
    assert response.status_code == 422
    kpi.refresh_from_db()
    assert (kpi.name, kpi.unit_value) == ("Hours saved", Decimal("55.00"))


def test_a_reading_moves_the_current_figure_and_asks_for_confirmation_again(
    world: World,
) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY - timedelta(days=30), "100")])
    ValueKPI.objects.filter(pk=kpi.pk).update(confirmed_by=world.executive, confirmed_at=NOW)
    response = client_for(world.csm).post(
        reverse("value_reading_add", args=["acme", kpi.pk]),
        {"day": TODAY.isoformat(), "quantity": "150"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="value-figures"' in response.content.decode()
    kpi.refresh_from_db()
    assert (kpi.current, kpi.confirmed_at) == (Decimal(150), None)
    assert kpi.readings.count() == 2
    assert "€99,000" in response.content.decode()  # 150 hours x €55 x 12


def test_an_older_reading_does_not_replace_the_latest(world: World) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY, "150")])
    client_for(world.csm).post(
        reverse("value_reading_add", args=["acme", kpi.pk]),
        {"day": (TODAY - timedelta(days=40)).isoformat(), "quantity": "90"},
    )
    kpi.refresh_from_db()
    assert kpi.current == Decimal(150)
    assert kpi.readings.count() == 2


@pytest.mark.parametrize(
    "data,message",
    [
        ({"day": "2026-11-16", "quantity": "many"}, "Enter a number"),
        ({"day": "2026-11-30", "quantity": "10"}, "cannot be dated in the future"),
        ({"day": "someday", "quantity": "10"}, "Enter a valid date"),
    ],
)
def test_a_bad_reading_is_refused_where_the_page_shows_it(
    world: World, data: dict[str, str], message: str
) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY, "120")])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("value_reading_add", args=["acme", kpi.pk]), data, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert message in response.content.decode()


def test_a_kpi_of_another_account_is_not_found_under_this_one(world: World) -> None:
    theirs = kpi_with_readings(world.other_account, [(TODAY, "9")])
    for name, data in [
        ("value_reading_add", {"day": TODAY.isoformat(), "quantity": "1"}),
        ("value_kpi_remove", {}),
        ("value_kpi_edit", definition()),
    ]:
        client = client_for(world.csm)
        with unchanged():
            response = client.post(reverse(name, args=["acme", theirs.pk]), data)
        assert response.status_code == 404, name


def test_customers_see_the_shared_kpis_only_and_members_none(world: World) -> None:
    kpi_with_readings(world.account, [(TODAY, "120")], name="Hours saved")
    kpi_with_readings(world.account, [(TODAY, "40")], name="Secret draft", shared=False)
    page = client_for(world.executive).get(reverse("value", args=["acme"])).content.decode()
    assert "Hours saved" in page and "Secret draft" not in page
    assert "Record reading" not in page and "Confirm this figure" in page
    vendor = client_for(world.csm).get(reverse("value", args=["acme"])).content.decode()
    assert "Secret draft" in vendor and "Record reading" in vendor
    assert client_for(world.member).get(reverse("value", args=["acme"])).status_code == 403


def test_the_champion_confirms_a_figure_once(world: World) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY, "120")])
    url = reverse("value_kpi_confirm", args=["acme", kpi.pk])
    assert client_for(world.champion).post(url).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.confirmed_by, kpi.confirmed_at) == (world.champion, NOW)
    executive = client_for(world.executive)
    with unchanged():
        executive.post(url)  # already confirmed: nothing changes twice
    page = client_for(world.csm).get(reverse("value", args=["acme"])).content.decode()
    assert f"Confirmed by {world.champion.display_name}" in page


def test_the_empty_page_says_how_to_start(world: World) -> None:
    vendor = client_for(world.csm).get(reverse("value", args=["acme"])).content.decode()
    assert "Define a value KPI" in vendor and "Nothing shared yet" in vendor
    customer = client_for(world.champion).get(reverse("value", args=["acme"])).content.decode()
    assert "No value KPI is shared yet" in customer


# The panel ----------------------------------------------------------------------------------


def test_the_panel_shows_the_money_the_multiple_and_the_top_kpis(world: World) -> None:
    kpi_with_readings(world.account, [(TODAY, "100")], name="Hours saved", unit_value=Decimal(50))
    contract(world.account, "20000")
    url = reverse("account_panel", args=["acme", "value"])
    panel = client_for(world.executive).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "€60,000" in panel and "3.0×" in panel and "+200%" in panel
    assert "Hours saved" in panel and "0 hours → 100 hours" in panel


def test_the_panel_sits_on_the_360_page_and_stays_away_from_customers_until_shared(
    world: World,
) -> None:
    kpi_with_readings(world.account, [(TODAY, "40")], shared=False)
    page = client_for(world.csm).get(reverse("account_360", args=["acme"])).content.decode()
    assert reverse("account_panel", args=["acme", "value"]) in page
    url = reverse("account_panel", args=["acme", "value"])
    assert (
        "Value realized"
        not in client_for(world.champion).get(url, HTTP_HX_REQUEST="true").content.decode()
    )
    assert "Define one" in client_for(world.csm).get(url, HTTP_HX_REQUEST="true").content.decode()


def test_removing_a_kpi_removes_its_readings(world: World) -> None:
    kpi = kpi_with_readings(world.account, [(TODAY, "120")])
    response = client_for(world.csm).post(reverse("value_kpi_remove", args=["acme", kpi.pk]))
    assert response.status_code == 302
    assert not ValueKPI.objects.exists() and not ValueReading.objects.exists()


def test_the_value_page_and_its_editor_are_well_formed(world: World) -> None:
    from tests.html_helpers import html_problems

    kpi_with_readings(world.account, [(TODAY - timedelta(days=30), "80"), (TODAY, "120")])
    draft = kpi_with_readings(world.account, [(TODAY, "40")], name="Draft", shared=False)
    contract(world.account, "20000")
    for user, url in [
        (world.csm, reverse("value", args=["acme"])),
        (world.executive, reverse("value", args=["acme"])),
        (world.csm, reverse("value_kpi_create", args=["acme"])),
        (world.csm, reverse("value_kpi_edit", args=["acme", draft.pk])),
    ]:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert html_problems(response.content.decode()) == [], url


def test_the_panels_one_query_gives_what_account_value_gives(world: World) -> None:
    """The renewal page's panel (one query): the shared KPIs at their latest reading by the
    day, the totals per currency against the contracts of that currency; a KPI with no
    reading yet, a reading after the day and a draft count nowhere."""
    kpi_with_readings(
        world.account,
        [(TODAY - timedelta(days=40), "40"), (TODAY - timedelta(days=3), "90")],
        name="Hours saved",
        unit_value=Decimal("55.00"),
    )
    kpi_with_readings(
        world.account,
        [(TODAY - timedelta(days=5), "900"), (TODAY + timedelta(days=1), "100")],
        name="Tickets",
        baseline=Decimal(1400),
        lower_is_better=True,
        unit_value=Decimal("18.50"),
        currency="USD",
    )
    kpi_with_readings(world.account, [(TODAY + timedelta(days=2), "5")], name="Not yet")
    kpi_with_readings(world.account, [(TODAY, "7")], name="Draft", shared=False)
    kpi_with_readings(world.other_account, [(TODAY, "70")], name="Theirs")
    contract(world.account, "48000")
    contract(world.account, "12000", currency="GBP")

    def shown(figures: Any) -> Any:
        return (
            [(f.kpi.name, f.current, f.day, f.value_text) for f in figures.kpis],
            [(t.currency, t.value_text, t.multiple_text, t.roi_text) for t in figures.totals],
            [f.kpi.name for f in figures.top()],
        )

    with CaptureQueriesContext(connection) as queries:
        panel = panel_value(world.account, TODAY)
    assert len(queries) == 1
    assert shown(panel) == shown(account_value(world.account, day=TODAY))
    assert [t.currency for t in panel.totals] == ["USD", "EUR"]  # the largest first
    assert panel.totals[0].cost is None and panel.totals[1].cost == Decimal("48000")
    assert [f.kpi.name for f in panel.kpis] == ["Hours saved", "Tickets"]

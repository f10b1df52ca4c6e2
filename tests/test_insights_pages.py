"""The book of business, the 360° page, the pulse, health settings and the usage panel."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Activity
from insights.models import AccountFacts, Contract, HealthConfig, HealthScore, UsageDay
from portal.models import Job
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.insights_helpers import get_360
from tests.panels import account_page
from tests.queries import page_queries

# Every test runs on this day (the autouse fixture below stops the clock there).
DAY = date(2026, 5, 13)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def contract(
    account: Any, value: str, months: int = 12, started_days_ago: int = 60, **extra: Any
) -> Contract:
    start = DAY - timedelta(days=started_days_ago)
    return Contract.objects.create(
        account=account, external_id=f"c-{account.pk}-{value}-{started_days_ago}", starts_on=start,
        ends_on=start + timedelta(days=30 * months + 30), recurring_value=Decimal(value), term_months=months, **extra,
    )  # fmt: skip


class TestBook:
    def test_arr_renewals_risk_and_quiet_accounts(self, world: World) -> None:
        contract(world.account, "12000")  # MRR 1,000: ARR 12,000
        soon = AccountFactory.create(
            name="Soon Co", slug="soon", owner=world.csm, renewal_date=DAY + timedelta(days=20)
        )
        later = AccountFactory.create(
            name="Later Co",
            slug="later",
            owner=world.csm,
            renewal_date=DAY + timedelta(days=75),
        )
        HealthScore.objects.create(account=soon, score=30, band="critical", parts={})
        HealthScore.objects.create(account=later, score=80, band="healthy", parts={})
        Activity.objects.create(
            account=later, actor=world.champion, verb="ticked a task"
        )  # a customer, recently
        response = client_for(world.csm).get(reverse("book"))
        book = response.context["book"]
        assert book.revenue_now.arr == Decimal("12000")
        assert [a.name for a in book.renewals[30].rows] == ["Soon Co"] and [
            a.name for a in book.renewals[90].rows
        ] == ["Later Co"]
        assert [a.name for a in book.at_risk.rows] == ["Soon Co"]
        assert (book.bands["critical"], book.bands["healthy"], book.unscored) == (1, 1, 1)
        assert {a.name for a in book.quiet.rows} == {"Acme", "Soon Co"}
        assert (book.renewals[30].total, book.at_risk.total, book.quiet.total) == (1, 1, 2)
        assert b"Bluth" not in response.content  # another CSM's account

    def test_an_empty_book_says_no_data_not_zero_division(self, world: World) -> None:
        response = client_for(world.other_csm).get(reverse("book"), {"period": "year"})
        assert response.status_code == 200
        assert response.context["book"].revenue_period.nrr is None

    def test_the_admin_sees_every_csm_and_can_pick_one(self, world: World) -> None:
        contract(world.account, "1200")
        contract(world.other_account, "2400")
        client = client_for(world.admin)
        assert client.get(reverse("book")).context["book"].revenue_now.arr == Decimal("3600")
        assert client.get(reverse("book"), {"owner": world.other_csm.pk}).context[
            "book"
        ].revenue_now.arr == Decimal("2400")

    def test_the_query_count_does_not_grow_with_the_book(self, world: World) -> None:
        client = client_for(world.csm)

        def count() -> int:
            return page_queries(client, reverse("book"))

        few = count()
        for i in range(40):
            account = AccountFactory.create(owner=world.csm, renewal_date=DAY + timedelta(days=i))
            contract(account, "1200")
            HealthScore.objects.create(account=account, score=50, band="at_risk", parts={})
        assert count() == few


class Test360:
    def test_the_page_and_its_cards_cost_at_most_12_queries_and_never_more_with_more_data(
        self, world: World
    ) -> None:
        from insights.views.account_360 import PARTS

        client = client_for(world.csm)
        paths = [reverse("account_360", args=["acme"])] + [
            reverse(f"account_360_{part}", args=["acme"]) for part in PARTS
        ]

        def add(n: int, first: int) -> None:
            for i in range(first, first + n):
                contract(world.account, "1200", started_days_ago=60 + i, product=f"Product {i}")
                HealthScore.objects.create(
                    account=world.account,
                    day=DAY - timedelta(days=i + 1),
                    score=50,
                    band="at_risk",
                    parts={"usage": {"score": 50, "weight": 30, "why": "-"}},
                )

        add(10, 0)
        few = {path: page_queries(client, path) for path in paths}
        assert all(n <= 12 for n in few.values()), few
        add(30, 10)
        assert {path: page_queries(client, path) for path in paths} == few
        # The contracts are paged, 25 a page; junk is a 404, never a 500.
        revenue = reverse("account_360_revenue", args=["acme"])
        first = client.get(revenue, HTTP_HX_REQUEST="true").text
        assert first.lstrip().startswith('<div id="card-revenue"') and "1–25 of 40" in first
        assert "26–40 of 40" in client.get(revenue, {"page": "2"}, HTTP_HX_REQUEST="true").text
        assert client.get(revenue, {"page": "x"}).status_code == 404

    def test_the_csm_sees_contracts_revenue_and_health_parts(self, world: World) -> None:
        contract(world.account, "6000", months=6, product="Analytics")  # the glossary: MRR 1,000
        HealthScore.objects.create(
            account=world.account, score=55, band="at_risk",
            parts={"usage": {"score": 20, "weight": 30, "why": "MAU is 20% of seats"}, "pulse": {"score": 100, "weight": 10, "why": "Good"}},
        )  # fmt: skip
        page = get_360(
            client_for(world.csm), reverse("account_360", args=["acme"])
        ).content.decode()
        assert "Analytics" in page and "€1,000.00" in page and "€12,000" in page
        assert "MAU is 20% of seats" in page and "Pulled down by" in page

    def test_the_pulse_needs_a_reason_and_is_logged(self, world: World) -> None:
        client = client_for(world.csm)
        url = reverse("account_pulse", args=["acme"])
        assert client.post(url, {"pulse": "concerned", "pulse_note": ""}).status_code == 422
        assert not AccountFacts.objects.exists()
        assert (
            client.post(
                url, {"pulse": "concerned", "pulse_note": "Champion left", "licensed_seats": "40"}
            ).status_code
            == 302
        )
        facts = AccountFacts.objects.get(account=world.account)
        assert (facts.pulse, facts.pulse_by, facts.licensed_seats) == ("concerned", world.csm, 40)
        assert Activity.objects.filter(verb="updated the pulse", internal=True).exists()
        assert HealthScore.objects.filter(account=world.account).exists()  # recomputed at once

    @pytest.mark.parametrize("seats", ["-3", "lots"])
    def test_bad_seats_are_a_422(self, world: World, seats: str) -> None:
        response = client_for(world.csm).post(
            reverse("account_pulse", args=["acme"]), {"licensed_seats": seats}
        )
        assert response.status_code == 422


class TestHealthSettings:
    def test_a_cs_admin_sets_weights_and_bands(self, world: World) -> None:
        data = {
            "usage_weight": 50,
            "sentiment_weight": 10,
            "onboarding_weight": 10,
            "plan_weight": 10,
            "renewal_weight": 10,
            "pulse_weight": 10,
            "healthy_from": 75,
            "at_risk_from": 45,
        }
        assert client_for(world.admin).post(reverse("health_settings"), data).status_code == 302
        config = HealthConfig.current()
        assert (config.usage_weight, config.healthy_from, config.updated_by) == (
            50,
            75,
            world.admin,
        )
        entry = Activity.objects.get(verb="changed the health score settings")
        assert entry.after is not None
        assert (entry.actor, entry.after["usage_weight"], entry.internal) == (world.admin, 50, True)
        assert Job.objects.filter(task="insights.compute_health_scores").count() == 1

    def test_saving_again_changes_the_one_settings_row(self, world: World) -> None:
        client = client_for(world.admin)
        data = dict.fromkeys(
            ["usage_weight", "sentiment_weight", "onboarding_weight", "plan_weight",
             "renewal_weight", "pulse_weight"], 10,
        ) | {"healthy_from": 70, "at_risk_from": 40}  # fmt: skip
        client.post(reverse("health_settings"), data)
        client.post(reverse("health_settings"), data | {"usage_weight": 60})
        assert HealthConfig.objects.get().usage_weight == 60

    @pytest.mark.parametrize(
        "change,message",
        [
            ({"at_risk_from": 80}, b"must be below"),
            ({"healthy_from": 101}, b"less than or equal to 100"),
            ({"usage_weight": -1}, b"greater than or equal to 0"),
        ],
    )
    def test_bad_settings_are_a_422(
        self, world: World, change: dict[str, int], message: bytes
    ) -> None:
        data = {
            "usage_weight": 30,
            "sentiment_weight": 20,
            "onboarding_weight": 15,
            "plan_weight": 15,
            "renewal_weight": 10,
            "pulse_weight": 10,
            "healthy_from": 70,
            "at_risk_from": 40,
            **change,
        }
        response = client_for(world.admin).post(reverse("health_settings"), data)
        assert response.status_code == 422
        assert message in response.content
        assert not HealthConfig.objects.exists()

    def test_all_weights_zero_is_refused(self, world: World) -> None:
        data = dict.fromkeys(
            [
                "usage_weight",
                "sentiment_weight",
                "onboarding_weight",
                "plan_weight",
                "renewal_weight",
                "pulse_weight",
            ],
            0,
        ) | {"healthy_from": 70, "at_risk_from": 40}
        assert client_for(world.admin).post(reverse("health_settings"), data).status_code == 422


class TestUsagePanel:
    def test_customers_see_usage_on_their_account_page_with_a_chart_and_table(
        self, world: World
    ) -> None:
        for i in range(10):
            UsageDay.objects.create(
                account=world.account,
                day=DAY - timedelta(days=i),
                active_users=5,
                weekly_active_users=12,
                monthly_active_users=20,
                events=40,
            )
        AccountFacts.objects.create(account=world.account, licensed_seats=25)
        page = account_page(client_for(world.executive), "acme").content.decode()
        assert "Product usage" in page and "of 25 seats" in page
        assert '<svg class="chart"' in page and "Show the figures as a table" in page
        assert "60.0%" in page  # stickiness 12 / 20

    def test_no_usage_means_no_panel_for_customers(self, world: World) -> None:
        page = account_page(client_for(world.executive), "acme").content.decode()
        assert "Product usage" not in page
        assert (
            "No usage has reached the portal yet"
            in account_page(client_for(world.csm), "acme").content.decode()
        )


def test_the_book_breaks_revenue_down_by_segment(world: World) -> None:
    world.account.segment = "enterprise"
    world.account.save()
    contract(world.account, "24000")
    smb = AccountFactory.create(owner=world.csm, segment="smb")
    contract(smb, "1200")
    segments = {
        label: now.arr
        for label, now, _ in client_for(world.csm).get(reverse("book")).context["book"].segments
    }
    assert segments == {"Enterprise": Decimal("24000"), "SMB": Decimal("1200")}


def test_customers_see_the_health_band_only_when_the_csm_allows_it(world: World) -> None:
    HealthScore.objects.create(account=world.account, score=82, band="healthy", parts={})
    executive = client_for(world.executive)
    assert "badge-band-healthy" not in account_page(executive, "acme").content.decode()
    assert "82" in account_page(client_for(world.csm), "acme").content.decode()
    AccountFacts.objects.create(account=world.account, customers_see_health=True)
    page = account_page(executive, "acme").content.decode()
    assert "badge-band-healthy" in page and "/ 100" not in page  # the band, not the number


def test_product_usage_keeps_an_account_off_the_quiet_list(world: World) -> None:
    UsageDay.objects.create(
        account=world.account,
        day=DAY - timedelta(days=2),
        active_users=3,
        weekly_active_users=3,
        monthly_active_users=3,
        events=9,
    )
    quiet = client_for(world.csm).get(reverse("book")).context["book"].quiet
    assert world.account not in quiet.rows and quiet.total == 0


# Money and rates -------------------------------------------------------------------------------

# A number of a thousand or more with no currency before it: an amount printed bare.
BARE_AMOUNT = re.compile(r"(?<![€$£\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def figures_of(page: str) -> list[str]:
    """The big figures of a page (its stat values), as printed."""
    return re.findall(r'<span class="stat-value">(.*?)</span>', page)


def test_every_amount_on_the_book_carries_the_currency(world: World) -> None:
    world.account.segment = "enterprise"
    world.account.save()
    contract(world.account, "24000", months=24, started_days_ago=400)  # MRR 1,000, then and now
    contract(world.account, "1530", started_days_ago=30)  # MRR 127.50 of expansion
    page = client_for(world.csm).get(reverse("book"), {"period": "year"}).content.decode()
    # Whole amounts for ARR and ARPA, never "0.00" beside "13,530"; rates to one place.
    assert figures_of(page) == ["€13,530", "112.8%", "100.0%", "€1,128"]
    assert '<td class="num">€13,530</td>' in page and '<td class="num">€128</td>' in page
    assert not BARE_AMOUNT.findall(page)


def test_the_360_page_prints_money_with_the_currency_and_cents_only_for_a_contract(
    world: World,
) -> None:
    contract(world.account, "1000", months=6, one_off_fees=Decimal("250"), product="Pro")
    page = get_360(client_for(world.csm), reverse("account_360", args=["acme"])).content.decode()
    assert figures_of(page)[:2] == ["€167", "€2,000"]  # MRR and ARR today: whole
    assert "€166.67" in page and "€250.00" in page  # the contract's own MRR and fee: cents
    assert "no data" in figures_of(page)[2]  # NRR: not paying a year ago
    assert not BARE_AMOUNT.findall(page)


def test_the_currency_is_the_portals(world: World, settings: Any) -> None:
    settings.CURRENCY = "USD"
    contract(world.account, "12000")
    page = client_for(world.csm).get(reverse("book")).content.decode()
    assert "$12,000" in page and "€" not in page
    page = get_360(client_for(world.csm), reverse("account_360", args=["acme"])).content.decode()
    assert "$1,000.00" in page and "€" not in page


def test_a_contract_in_another_currency_is_flagged_not_converted(world: World) -> None:
    contract(world.account, "1200", currency="USD")
    page = get_360(client_for(world.csm), reverse("account_360", args=["acme"])).content.decode()
    assert "Booked in USD" in page


def test_the_usage_panel_prints_rates_through_the_figures_filters(world: World) -> None:
    UsageDay.objects.create(
        account=world.account, day=DAY, active_users=1234, weekly_active_users=2500,
        monthly_active_users=5000, events=40,
    )  # fmt: skip
    AccountFacts.objects.create(account=world.account, licensed_seats=8000)
    page = account_page(client_for(world.csm), "acme").content.decode()
    assert "5,000" in page and "of 8,000 seats (62.5%)" in page  # the glossary's 2,500 / 5,000
    assert "50.0%" in page and "1,234" in page

"""Upsell leads (CSQLs): the nightly rules (each fires at its threshold, not below, never
twice), the CSM's moves (raise, pass to sales, won with an amount, lost with why), refusals that
change nothing, the book's filter and the 360° card, and the book's query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Activity, Segment
from insights.models import Contract, ContractKind, ExpansionConfig, UpsellLead
from insights.services.csql_rules import run_csql_rules
from insights.tasks import run_csql_rules as run_csql_rules_task
from portal.celery import app as celery_app
from tests.advocacy_factories import nps_answer
from tests.conftest import World, client_for
from tests.csql_factories import (
    CrossSellOfferFactory,
    ExpansionConfigFactory,
    FeatureLimitFactory,
    usage_on,
)
from tests.factories import AccountFactory, UpsellLeadFactory
from tests.insights_helpers import get_360
from tests.queries import assert_same_queries, page_queries
from tests.snapshot import unchanged

DAY = date(2026, 5, 13)
Rule, Status = UpsellLead.Rule, UpsellLead.Status


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def running_contract(account: Any, product: str = "Growth", value: str = "12000") -> Contract:
    return Contract.objects.create(
        account=account, external_id=f"{account.slug}-{product}", product=product,
        starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1),
        recurring_value=Decimal(value), term_months=12,
    )  # fmt: skip


def seats(account: Any, bought: int) -> None:
    from insights.models import AccountFacts

    AccountFacts.objects.update_or_create(account=account, defaults={"licensed_seats": bought})


def leads(rule: str) -> list[UpsellLead]:
    return list(UpsellLead.objects.filter(rule=rule).order_by("pk"))


# Seat use -------------------------------------------------------------------------------------


def test_seat_use_at_the_threshold_raises_one_lead_with_its_figures(world: World) -> None:
    running_contract(world.account)  # ARR 12,000: 240 a seat
    seats(world.account, 50)
    usage_on(world.account, DAY - timedelta(days=1), mau=45)  # 90%
    assert run_csql_rules(DAY)[Rule.SEAT_USE] == 1
    (lead,) = leads(Rule.SEAT_USE)
    assert lead.account == world.account and lead.status == Status.OPEN
    assert "45 people" in lead.reason and "90% of the 50 seats" in lead.reason
    assert "raises at 90%" in lead.reason and "12 May 2026" in lead.reason
    # A tenth more seats (5) at 12,000 / 50 a seat.
    assert lead.amount_guess == Decimal("1200.00") and lead.currency == "EUR"
    assert Activity.objects.filter(verb="flagged an upsell lead", account=world.account).exists()


def test_seat_use_below_the_threshold_raises_nothing(world: World) -> None:
    seats(world.account, 50)
    usage_on(world.account, DAY - timedelta(days=1), mau=44)  # 88%
    with unchanged():
        assert run_csql_rules(DAY)[Rule.SEAT_USE] == 0


def test_the_threshold_is_the_cs_admins_setting(world: World) -> None:
    ExpansionConfigFactory.create(seat_use_percent=85)
    seats(world.account, 50)
    usage_on(world.account, DAY - timedelta(days=1), mau=44)  # 88%
    assert run_csql_rules(DAY)[Rule.SEAT_USE] == 1
    assert "raises at 85%" in leads(Rule.SEAT_USE)[0].reason


def test_a_second_night_raises_no_second_lead(world: World) -> None:
    seats(world.account, 50)
    usage_on(world.account, DAY - timedelta(days=1), mau=50)
    run_csql_rules(DAY)
    lead = leads(Rule.SEAT_USE)[0]
    lead.status, lead.passed_at = Status.PASSED, datetime(2026, 5, 13, 12, tzinfo=UTC)
    lead.save()
    with unchanged():
        assert run_csql_rules(DAY) == {Rule.SEAT_USE: 0, Rule.FEATURE_LIMIT: 0, Rule.CROSS_SELL: 0}


def test_a_closed_lead_keeps_the_rule_quiet_for_the_quiet_days(world: World) -> None:
    seats(world.account, 50)
    usage_on(world.account, DAY - timedelta(days=1), mau=50)
    UpsellLeadFactory.create(
        account=world.account, rule=Rule.SEAT_USE, status=Status.LOST,
        closed_at=datetime(2026, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    assert run_csql_rules(DAY)[Rule.SEAT_USE] == 0
    ExpansionConfigFactory.create(quiet_days=30)  # closed 42 days ago
    assert run_csql_rules(DAY)[Rule.SEAT_USE] == 1


def test_the_nightly_task_is_scheduled_and_runs_the_rules(world: World) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["csql-rules"]["task"] == "insights.run_csql_rules"
    assert "insights.run_csql_rules" in celery_app.tasks
    seats(world.account, 10)
    usage_on(world.account, DAY - timedelta(days=1), mau=10)
    assert run_csql_rules_task(day=DAY.isoformat())["seat_use"] == 1
    assert run_csql_rules_task(day=DAY.isoformat())["seat_use"] == 0


# Feature limits -----------------------------------------------------------------------------


def test_a_plans_feature_limit_reached_raises_a_lead(world: World) -> None:
    running_contract(world.account, "Growth")
    FeatureLimitFactory.create(feature="exports", product="Growth", users=10)
    usage_on(world.account, DAY - timedelta(days=1), mau=30, features={"exports": 10})
    assert run_csql_rules(DAY)[Rule.FEATURE_LIMIT] == 1
    (lead,) = leads(Rule.FEATURE_LIMIT)
    assert "“exports”: 10 people" in lead.reason and "the Growth plan allows 10" in lead.reason
    assert lead.amount_guess == Decimal("3600")
    assert run_csql_rules(DAY)[Rule.FEATURE_LIMIT] == 0


def test_a_feature_below_its_limit_raises_nothing(world: World) -> None:
    running_contract(world.account, "Growth")
    FeatureLimitFactory.create(feature="exports", product="Growth", users=10)
    usage_on(world.account, DAY - timedelta(days=1), mau=30, features={"exports": 9})
    assert run_csql_rules(DAY)[Rule.FEATURE_LIMIT] == 0


def test_an_accounts_own_limit_wins_over_its_plans(world: World) -> None:
    running_contract(world.account, "Growth")
    FeatureLimitFactory.create(feature="exports", product="Growth", users=10)
    FeatureLimitFactory.create(feature="exports", account=world.account, users=20)
    usage_on(world.account, DAY - timedelta(days=1), mau=30, features={"exports": 12})
    assert run_csql_rules(DAY)[Rule.FEATURE_LIMIT] == 0
    usage_on(world.account, DAY - timedelta(days=1), mau=30, features={"exports": 20})
    assert run_csql_rules(DAY)[Rule.FEATURE_LIMIT] == 1
    assert "agreed with the account is 20" in leads(Rule.FEATURE_LIMIT)[0].reason


# Cross-sell to promoters ----------------------------------------------------------------------


def test_a_promoter_in_a_segment_with_an_offer_raises_a_lead(world: World) -> None:
    world.account.segment = Segment.MID_MARKET
    world.account.save()
    offer = CrossSellOfferFactory.create(name="Forecasting", product="Forecasting")
    nps_answer(world.account, world.champion, 9)
    nps_answer(world.account, world.member, 3)
    assert run_csql_rules(DAY)[Rule.CROSS_SELL] == 1
    (lead,) = leads(Rule.CROSS_SELL)
    assert lead.offer == offer and lead.amount_guess == offer.amount_guess
    assert "1 of 2 NPS answers" in lead.reason and "(NPS +0)" in lead.reason
    assert "“Forecasting”, which Acme does not have yet" in lead.reason
    assert run_csql_rules(DAY)[Rule.CROSS_SELL] == 0


def test_no_cross_sell_without_a_promoter_or_to_an_account_that_has_it(world: World) -> None:
    world.account.segment = Segment.MID_MARKET
    world.account.save()
    CrossSellOfferFactory.create(product="Forecasting")
    nps_answer(world.account, world.champion, 8)  # a passive
    assert run_csql_rules(DAY)[Rule.CROSS_SELL] == 0
    nps_answer(world.account, world.executive, 10)
    running_contract(world.account, "forecasting")  # has it (any case)
    assert run_csql_rules(DAY)[Rule.CROSS_SELL] == 0
    CrossSellOfferFactory.create(segment=Segment.ENTERPRISE, product="Connect")  # not its segment
    assert run_csql_rules(DAY)[Rule.CROSS_SELL] == 0


# The CSM's moves ------------------------------------------------------------------------------


def test_the_csm_raises_a_lead_by_hand(world: World) -> None:
    running_contract(world.account)
    url = reverse("upsell_lead_raise", args=["acme"])
    response = client_for(world.csm).post(url, {"reason": " Wants  SSO ", "amount_guess": "4800"})
    assert response.status_code == 302
    lead = UpsellLead.objects.get()
    assert (lead.rule, lead.reason, lead.amount_guess) == (Rule.HAND, "Wants SSO", Decimal(4800))
    assert lead.flagged_by == world.csm and lead.status == Status.OPEN
    assert Activity.objects.get(verb="raised an upsell lead").actor == world.csm


@pytest.mark.parametrize(
    "data",
    [
        {"reason": ""},
        {"reason": "x", "amount_guess": "-5"},
        {"reason": "x", "amount_guess": "lots"},
    ],
)
def test_a_lead_without_a_reason_or_with_a_junk_amount_is_refused(
    world: World, data: dict[str, str]
) -> None:
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("upsell_lead_raise", args=["acme"]), data)
    assert response.status_code == 422


def test_a_lead_moves_to_sales_then_won_with_its_amount(world: World) -> None:
    lead = UpsellLeadFactory.create(account=world.account, amount_guess=Decimal("5000"))
    url = reverse("upsell_lead_close", args=["acme", lead.pk])
    client = client_for(world.csm)
    assert client.post(url, {"status": "passed"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Status.PASSED and lead.passed_at is not None and lead.closed_at is None
    assert Activity.objects.filter(verb="passed an upsell lead to sales").count() == 1
    with unchanged():
        assert client.post(url, {"status": "passed"}).status_code == 422  # with sales already
    assert client.post(url, {"status": "won", "won_amount": "6500.50"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.won_amount, lead.won_on) == (Status.WON, Decimal("6500.50"), DAY)


def test_won_without_an_amount_takes_the_guess_and_without_either_is_refused(
    world: World,
) -> None:
    guessed = UpsellLeadFactory.create(account=world.account, amount_guess=Decimal("5000"))
    client = client_for(world.csm)
    client.post(reverse("upsell_lead_close", args=["acme", guessed.pk]), {"status": "won"})
    guessed.refresh_from_db()
    assert guessed.won_amount == Decimal("5000")
    bare = UpsellLeadFactory.create(account=world.account)
    with unchanged():
        response = client.post(
            reverse("upsell_lead_close", args=["acme", bare.pk]), {"status": "won"}
        )
    assert response.status_code == 422 and b"amount won" in response.content


def test_lost_needs_a_reason(world: World) -> None:
    lead = UpsellLeadFactory.create(account=world.account)
    url = reverse("upsell_lead_close", args=["acme", lead.pk])
    client = client_for(world.csm)
    with unchanged():
        assert client.post(url, {"status": "lost", "lost_reason": "  "}).status_code == 422
    assert client.post(url, {"status": "lost", "lost_reason": "Budget frozen"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (Status.LOST, "Budget frozen")


def test_another_accounts_lead_is_404_and_unchanged(world: World) -> None:
    lead = UpsellLeadFactory.create(account=world.other_account, amount_guess=Decimal(1))
    client = client_for(world.admin)
    with unchanged():
        response = client.post(
            reverse("upsell_lead_close", args=["acme", lead.pk]), {"status": "passed"}
        )
    assert response.status_code == 404


# The book and the 360° card -------------------------------------------------------------------


def test_the_book_filters_the_accounts_with_open_leads(world: World) -> None:
    running_contract(world.account, value="12000")  # ARR 12,000
    bluth_csm_account = AccountFactory.create(name="Wayne", owner=world.csm)
    running_contract(bluth_csm_account, value="36000")
    UpsellLeadFactory.create(
        account=world.account, reason="Wants the add-on", amount_guess=Decimal("900")
    )
    UpsellLeadFactory.create(account=bluth_csm_account, reason="Lost one", status=Status.LOST)
    client = client_for(world.csm)
    every = client.get(reverse("book")).content.decode()
    assert "€48,000" in every
    page = client.get(reverse("book"), {"csql": "open"}).content.decode()
    assert "€12,000" in page and "€48,000" not in page
    assert "Wants the add-on" in page and "Lost one" not in page and "€900" in page


def test_the_360_card_lists_every_status_for_vendors_only(world: World) -> None:
    UpsellLeadFactory.create(account=world.account, reason="Open one", amount_guess=Decimal("1500"))
    UpsellLeadFactory.create(
        account=world.account, reason="Won one", status=Status.WON,
        won_amount=Decimal("7200"), won_on=DAY, closed_at=datetime(2026, 5, 13, tzinfo=UTC),
    )  # fmt: skip
    UpsellLeadFactory.create(
        account=world.account, reason="Lost one", status=Status.LOST, lost_reason="No budget",
        closed_at=datetime(2026, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    UpsellLeadFactory.create(account=world.other_account, reason="Bluth's")
    page = get_360(client_for(world.csm), "/a/acme/360/", panels=("csqls",)).content.decode()
    for text in ("Open one", "about <strong>€1,500</strong>", "Won one", "€7,200", "No budget"):
        assert text in page, text
    assert "Bluth's" not in page
    panel = reverse("account_panel", args=["acme", "csqls"])
    for customer in (world.champion, world.executive, world.member):
        response = client_for(customer).get(panel)
        assert response.status_code == 403 and b"Open one" not in response.content


def test_the_book_runs_as_many_queries_for_many_leads_as_for_one(world: World) -> None:
    client = client_for(world.admin)
    UpsellLeadFactory.create(account=world.account)
    few = page_queries(client, reverse("book") + "?csql=open")
    for n in range(12):
        account = AccountFactory.create(owner=world.csm)
        running_contract(account)
        UpsellLeadFactory.create(account=account, status=Status.PASSED if n % 2 else Status.OPEN)
        UpsellLeadFactory.create(
            account=account, status=Status.WON, won_amount=Decimal(100), won_on=DAY
        )
    assert_same_queries(few, page_queries(client, reverse("book") + "?csql=open"), "book")


def test_nrr_counts_a_won_lead_once_booked_as_an_expansion_contract(world: World) -> None:
    from insights.figures import revenue

    running_contract(world.account, value="12000")  # MRR 1,000 all year
    UpsellLeadFactory.create(
        account=world.account, status=Status.WON, won_amount=Decimal("2400"),
        won_on=date(2026, 3, 1),
    )  # fmt: skip
    start = date(2026, 2, 1)
    assert revenue.period(world.account, start, DAY).expansion == Decimal(200)
    # The sale booked: an expansion contract of MRR 300 from 1 April; the lead adds nothing more.
    Contract.objects.create(
        account=world.account, external_id="X-1", kind=ContractKind.EXPANSION,
        starts_on=date(2026, 4, 1), ends_on=date(2027, 4, 1),
        recurring_value=Decimal("3600"), term_months=12,
    )  # fmt: skip
    period = revenue.period(world.account, start, DAY)
    assert period.expansion == Decimal(300) and period.nrr == Decimal("1.3")
    assert ExpansionConfig.current().seat_use_percent == 90  # the default, untouched


def test_the_demo_has_leads_in_every_status_and_loads_twice_the_same(world: World) -> None:
    from insights.demo import ensure_demo_csqls

    for slug in ("globex", "initech"):
        AccountFactory.create(slug=slug, name=slug.title(), owner=world.csm)
    assert ensure_demo_csqls(DAY) > 0
    assert set(UpsellLead.objects.values_list("status", flat=True)) == set(Status.values)
    won = UpsellLead.objects.filter(status=Status.WON)
    assert all(lead.won_amount and lead.won_on for lead in won)
    assert all(lead.lost_reason for lead in UpsellLead.objects.filter(status=Status.LOST))
    with unchanged():
        assert ensure_demo_csqls(DAY) == 0

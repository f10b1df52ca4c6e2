"""The insights pages in the pseudo-translation: no English left outside the markers (see
tests/pseudo.py), as the CSM, the CS admin and the champion see them.

Only the data is allowed: the accounts' and people's names, the contract's product, the
features the product reports, the key's and the offer's names, the reason a CSM typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from insights.figures.health import part_why
from insights.models import (
    AccountFacts,
    ApiKey,
    Contract,
    FeatureUsageDay,
    HealthScore,
    UsageDay,
)
from insights.services.health import compute_health
from tests.conftest import World, client_for
from tests.csql_factories import CrossSellOfferFactory, FeatureLimitFactory
from tests.factories import UpsellLeadFactory
from tests.pseudo import OPEN, PSEUDO_LANGUAGE, english_left_on, pseudo_translation

DAY = date(2026, 5, 13)
REASON = "Asked about single sign-on"
DATA = ["Acme", "Bluth", "Analytics", "Reports", REASON, "EUR", "cp_abc123_"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def data(world: World) -> list[str]:
    """The data on the pages: the names above, and each person's name and initials."""
    people = User.objects.all()
    return DATA + [p.display_name for p in people] + [p.initials for p in people]


def shown(client: Any, path: str) -> str:
    """The panel's HTML in the pseudo-translation (a panel with nothing to show is empty)."""
    with pseudo_translation() as language:
        html: str = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return html


@pytest.fixture
def insights_world(world: World) -> World:
    """Acme with a contract, usage, a feature's adoption, the CSM's pulse and seats, health
    shared with the customer, a score with its parts, an open lead; a key, an offer, a limit."""
    account = world.account
    # The parts' reasons are written in the account's language: here the pseudo-translation.
    account.language = PSEUDO_LANGUAGE
    account.renewal_date = DAY + timedelta(days=40)
    account.save(update_fields=["language", "renewal_date"])
    Contract.objects.create(
        account=account,
        external_id="c-1",
        product="Analytics",
        starts_on=DAY - timedelta(days=60),
        ends_on=DAY + timedelta(days=300),
        recurring_value=Decimal("12000"),
        term_months=12,
    )
    for i in range(1, 15):
        UsageDay.objects.create(
            account=account,
            day=DAY - timedelta(days=i),
            active_users=3,
            weekly_active_users=5,
            monthly_active_users=8,
            events=20,
        )
    FeatureUsageDay.objects.create(
        account=account, day=DAY - timedelta(days=2), feature="Reports", monthly_users=4, events=9
    )
    AccountFacts.objects.create(
        account=account,
        licensed_seats=10,
        pulse=AccountFacts.Pulse.CONCERNED,
        pulse_by=world.csm,
        customers_see_health=True,
    )
    HealthScore.objects.create(
        account=account,
        day=DAY - timedelta(days=30),
        score=50,
        band="at_risk",
        parts={},
    )
    with pseudo_translation():
        compute_health(account, DAY)
    UpsellLeadFactory.create(
        account=account, reason=REASON, flagged_by=world.csm, amount_guess=Decimal("2400")
    )
    ApiKey.objects.create(
        name="Analytics", prefix="abc123", key_hash="0" * 64, scopes=["write_usage"],
        created_by=world.admin,
    )  # fmt: skip
    CrossSellOfferFactory.create(name="Analytics", product="Analytics")
    FeatureLimitFactory.create(feature="Reports", account=account, product="", users=4)
    return world


@pytest.mark.parametrize("persona", ["csm", "admin"])
def test_the_book_of_business_is_all_marked(insights_world: World, persona: str) -> None:
    client = client_for(getattr(insights_world, persona))
    assert english_left_on(client, reverse("book"), allowed=data(insights_world)) == []
    assert (
        english_left_on(client, reverse("book") + "?csql=open", allowed=data(insights_world)) == []
    )


@pytest.mark.parametrize("persona", ["csm", "admin"])
def test_insights_columns_of_the_portfolio_are_all_marked(
    insights_world: World, persona: str
) -> None:
    client = client_for(getattr(insights_world, persona))
    for cell in ("health-cell", "nowrap"):
        assert (
            english_left_on(client, reverse("portfolio"), within=cell, allowed=data(insights_world))
            == []
        )


@pytest.mark.parametrize("persona", ["csm", "admin"])
def test_the_360_page_cards_are_all_marked(insights_world: World, persona: str) -> None:
    client = client_for(getattr(insights_world, persona))
    page = reverse("account_360", args=["acme"])
    for card in ("page-head", "card-revenue", "card-health", "card-usage", "card-sentiment"):
        assert english_left_on(client, page, within=card, allowed=data(insights_world)) == [], card
    for part in ("revenue", "health", "usage", "sentiment", "pulse"):
        path = reverse(f"account_360_{part}", args=["acme"])
        assert (
            english_left_on(client, path, within=f"card-{part}", allowed=data(insights_world)) == []
        ), part
    path = reverse("account_360_activity", args=["acme"])
    assert (
        english_left_on(client, path, within="engagement-title", allowed=data(insights_world)) == []
    )


@pytest.mark.parametrize("persona", ["csm", "admin"])
def test_the_upsell_leads_panel_is_all_marked(insights_world: World, persona: str) -> None:
    client = client_for(getattr(insights_world, persona))
    path = reverse("account_panel", args=["acme", "csqls"])
    assert REASON in shown(client, path)
    assert english_left_on(client, path, within=None, allowed=data(insights_world)) == []


def test_the_expansion_console_is_all_marked(insights_world: World) -> None:
    client = client_for(insights_world.admin)
    assert (
        english_left_on(client, reverse("expansion_settings"), allowed=data(insights_world)) == []
    )


def test_the_health_settings_are_all_marked(insights_world: World) -> None:
    client = client_for(insights_world.admin)
    assert english_left_on(client, reverse("health_settings"), allowed=data(insights_world)) == []


def test_the_api_keys_page_is_all_marked(insights_world: World) -> None:
    client = client_for(insights_world.admin)
    assert english_left_on(client, reverse("api_keys"), allowed=data(insights_world)) == []


@pytest.mark.parametrize("panel", ["usage", "health", "health-trend"])
def test_the_champion_reads_the_usage_and_health_panels_all_marked(
    insights_world: World, panel: str
) -> None:
    client = client_for(insights_world.champion)
    path = reverse("account_panel", args=["acme", panel])
    assert f"{OPEN}Health" in shown(client, path) or f"{OPEN}Product usage" in shown(client, path)
    assert english_left_on(client, path, within=None, allowed=data(insights_world)) == []


def test_the_csm_reads_the_usage_and_health_panels_all_marked(insights_world: World) -> None:
    client = client_for(insights_world.csm)
    for panel in ("usage", "health"):
        path = reverse("account_panel", args=["acme", panel])
        assert english_left_on(client, path, within=None, allowed=data(insights_world)) == [], panel


@pytest.mark.parametrize("language", ["", "de"])
def test_a_health_part_is_stored_in_no_language_and_read_in_the_readers(
    world: World, language: str
) -> None:
    world.account.language = language
    world.account.save(update_fields=["language"])
    AccountFacts.objects.create(account=world.account, pulse=AccountFacts.Pulse.GOOD)
    with pseudo_translation() as pseudo:
        score = compute_health(world.account, DAY)
        assert score is not None
        why = score.parts["pulse"]["why"]
        assert why["message"] == "The CSM's pulse: %(pulse)s"  # the same whatever the account's
        assert part_why(why) == "The CSM's pulse: good"
        with translation.override(pseudo):
            assert part_why(why).startswith(OPEN)


@pytest.mark.parametrize("name", ["import_upload", "nightly_runs"])
def test_the_import_and_nightly_consoles_are_all_marked(insights_world: World, name: str) -> None:
    client = client_for(insights_world.admin)
    assert english_left_on(client, reverse(name), allowed=data(insights_world)) == []

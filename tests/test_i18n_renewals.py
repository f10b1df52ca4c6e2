"""Renewals and the churn forecast in the pseudo-translation: every word of the pipeline, the
customer's renewal page, one renewal, the CS admins' lists and the forecast's console and card
went through a catalogue; only data (names of accounts, people, products, steps and reasons)
is left in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from insights.models import AccountFacts, FeatureUsageDay, HealthScore, UsageDay
from renewals.models import ChurnReason, Forecast, RenewalStage, Side, StepTemplate
from tests.conftest import World, client_for
from tests.forecast_factories import ChurnForecastFactory, ForecastModelFactory
from tests.pseudo import english_left_on
from tests.renewals_factories import (
    ChurnReasonFactory,
    RenewalStepFactory,
    StepTemplateFactory,
    make_renewal,
)

NOW = datetime(2027, 2, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
PRODUCT = "Analytics Pro"  # the contracts' product (data)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def _people(world: World) -> list[str]:
    """The data a page may show: names of accounts and people, and the churn reasons and
    checklist steps the CS admins keep (a list seeded in English by a migration, edited by
    them: data, not the interface's words)."""
    users = (world.champion, world.executive, world.member, world.csm, world.other_csm, world.admin)
    kept = [r.name for r in ChurnReason.objects.all()] + [
        t.title for t in StepTemplate.objects.all()
    ]
    return [world.account.name, world.other_account.name, *(u.display_name for u in users), *kept]


@pytest.fixture
def renewals(world: World) -> dict[str, object]:
    """Renewals in every state a page words differently: at risk with a reason, churned with a
    reason, one with a checklist half ticked, with health, usage and features beside them."""
    open_one = make_renewal(
        world.account,
        ends_on=TODAY + timedelta(days=40),
        forecast=Forecast.AT_RISK,
        forecast_reason="Budget",
    )
    make_renewal(world.other_account, ends_on=TODAY + timedelta(days=70))
    reason = ChurnReasonFactory.create(name="Price")
    make_renewal(
        world.account,
        ends_on=TODAY - timedelta(days=20),
        stage=RenewalStage.CHURNED,
        churn_reason=reason,
        closed_at=timezone.now() - timedelta(days=3),
    )
    RenewalStepFactory.create(renewal=open_one, title="Sign", side=Side.CUSTOMER)
    RenewalStepFactory.create(
        renewal=open_one,
        title="Quote",
        side=Side.VENDOR,
        done_at=timezone.now(),
        done_by=world.csm,
    )
    StepTemplateFactory.create(title="Quote")
    HealthScore.objects.create(account=world.account, day=TODAY, score=64, band="at_risk")
    AccountFacts.objects.create(account=world.account, licensed_seats=40)
    for day, wau in ((TODAY - timedelta(days=28), 40), (TODAY, 30)):
        UsageDay.objects.create(
            account=world.account, day=day, active_users=5, weekly_active_users=wau,
            monthly_active_users=30, events=9,
        )  # fmt: skip
    FeatureUsageDay.objects.create(
        account=world.account, day=TODAY, feature="exports", monthly_users=12, events=4
    )
    return {"renewal": open_one, "data": ["Budget", "Price", "Sign", "Quote", "exports", PRODUCT]}


@pytest.mark.parametrize("viewer", ["csm", "admin"])
def test_the_pipeline_is_all_marked(world: World, renewals: dict, viewer: str) -> None:
    client = client_for(getattr(world, viewer))
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client, reverse("renewals_pipeline"), allowed=allowed) == []


def test_the_pipeline_with_churn_forecasts_is_all_marked(world: World, renewals: dict) -> None:
    ChurnForecastFactory.create(account=world.account, probability=0.72, drivers=[])
    path = reverse("renewals_pipeline")
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client_for(world.admin), path, allowed=allowed) == []


def test_the_customers_renewal_page_is_all_marked(world: World, renewals: dict) -> None:
    path = reverse("renewal_page", args=[world.account.slug])
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client_for(world.champion), path, allowed=allowed) == []


def test_one_renewal_is_all_marked(world: World, renewals: dict) -> None:
    renewal = renewals["renewal"]
    path = reverse("renewal_edit", args=[world.account.slug, renewal.pk])
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client_for(world.csm), path, allowed=allowed) == []


@pytest.mark.parametrize("name", ["churn_reasons", "churn_reasons_report", "renewal_checklist"])
def test_the_renewal_consoles_are_all_marked(world: World, renewals: dict, name: str) -> None:
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client_for(world.admin), reverse(name), allowed=allowed) == []


def test_the_forecast_console_is_all_marked_before_and_after_training(
    world: World, renewals: dict
) -> None:
    client = client_for(world.csm)
    allowed = [*_people(world), *renewals["data"]]
    assert english_left_on(client, reverse("forecast"), allowed=allowed) == []
    model = ForecastModelFactory.create()
    ChurnForecastFactory.create(account=world.account, model=model, drivers=[])
    assert english_left_on(client, reverse("forecast"), allowed=allowed) == []


def test_the_pipeline_writes_its_dates_in_the_readers_language(world: World) -> None:
    make_renewal(world.account, ends_on=TODAY + timedelta(days=40))  # 22 March 2027
    csm = client_for(world.csm)
    english = csm.get(reverse("renewals_pipeline")).content.decode()
    german = csm.get(reverse("renewals_pipeline"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<td>22 Mar 2027</td>" in english
    assert "<td>22. März 2027</td>" in german and "22 Mar 2027" not in german

"""Factories for the churn forecast's tests, and renewal history generated from a known rule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
import numpy as np
from django.utils import timezone

from forecast.figures import FEATURE_NAMES, FeatureRow
from forecast.models import ChurnForecast, ForecastModel
from insights.models import Contract, ContractKind, HealthScore, UsageDay
from tests.factories import AccountFactory


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"C-{n}")
    kind = ContractKind.NEW
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + timedelta(days=365))
    recurring_value = Decimal(12000)
    term_months = 12


class UsageDayFactory(factory.django.DjangoModelFactory[UsageDay]):
    class Meta:
        model = UsageDay

    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(timezone.localdate)
    active_users = 5
    weekly_active_users = 10
    monthly_active_users = 20
    events = 50


class HealthScoreFactory(factory.django.DjangoModelFactory[HealthScore]):
    class Meta:
        model = HealthScore

    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(timezone.localdate)
    score = 60
    band = "at_risk"


# Parameters of a model that weighs falling usage and a low health score as churn risk.
SIMPLE_PARAMETERS: dict[str, Any] = {
    "features": list(FEATURE_NAMES),
    "fill": [0.0, 60.0, 60.0, 0.0, 40.0, 30.0, 3.0],
    "mean": [0.0, 60.0, 60.0, 0.0, 40.0, 30.0, 3.0],
    "scale": [20.0, 20.0, 15.0, 40.0, 20.0, 30.0, 3.0],
    "coef": [-1.2, -0.3, -0.8, -0.6, 0.2, 0.4, -0.1],
    "intercept": -0.5,
}


class ForecastModelFactory(factory.django.DjangoModelFactory[ForecastModel]):
    class Meta:
        model = ForecastModel

    trained_at = factory.LazyFunction(timezone.now)
    outcomes = 40
    lost = 12
    auc = 0.87
    parameters = factory.LazyFunction(lambda: dict(SIMPLE_PARAMETERS))


class ChurnForecastFactory(factory.django.DjangoModelFactory[ChurnForecast]):
    class Meta:
        model = ChurnForecast

    account = factory.SubFactory(AccountFactory)
    model = factory.SubFactory(ForecastModelFactory)
    probability = 0.73
    drivers = factory.LazyFunction(
        lambda: [
            {
                "feature": "usage_trend",
                "words": "Weekly active users fell 63% in 30 days",
                "push": 1.9,
            },
            {"feature": "health", "words": "Health score 31 of 100", "push": 0.8},
            {"feature": "nps", "words": "NPS +40 in the last 180 days", "push": -0.4},
        ]
    )
    as_of = factory.LazyFunction(timezone.localdate)
    renews_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


# Generated history with a known rule -----------------------------------------------------------


def churn_chance(trend: float, nps: float, health: float) -> float:
    """The rule the generated history follows: churn grows as usage falls and NPS and health
    drop."""
    logit = -0.5 - 0.06 * trend - 0.025 * nps - 0.03 * (health - 60)
    return 1 / (1 + math.exp(-logit))


def generated_rows(count: int, seed: int) -> tuple[list[FeatureRow], list[int]]:
    """Feature rows drawn at random, each labelled by the rule with noise (a draw against its
    churn chance), a few values missing as they are in life."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for n in range(count):
        trend = float(rng.normal(0, 25))
        nps = float(rng.uniform(-100, 100))
        health = float(rng.uniform(20, 95))
        values: dict[str, float | None] = {
            "usage_trend": trend,
            "seat_use": float(rng.uniform(20, 100)),  # noise: the rule ignores it
            "health": health,
            "nps": None if rng.random() < 0.1 else nps,
            "time_to_value": float(rng.uniform(10, 120)),
            "champion_away": float(rng.uniform(0, 180)),
            "champion_visits": float(rng.integers(0, 20)),
        }
        rows.append(FeatureRow(account_id=n, as_of=date(2026, 1, 1), values=values))
        labels.append(int(rng.random() < churn_chance(trend, nps, health)))
    return rows, labels


@dataclass(frozen=True)
class HistoryAccount:
    account: Any
    churned: bool


def make_renewal_history(count: int, today: date, seed: int = 3) -> list[HistoryAccount]:
    """``count`` accounts whose first contract ended 100 days ago; each churned or renewed by
    the rule from its usage trend and health 90 days before the end (with noise). Renewed ones
    have a contract running today."""
    rng = np.random.default_rng(seed)
    made = []
    for _ in range(count):
        account = AccountFactory.create()
        ended = today - timedelta(days=100)
        ContractFactory.create(
            account=account, starts_on=ended - timedelta(days=365), ends_on=ended
        )
        as_of = ended - timedelta(days=90)
        trend = float(rng.normal(0, 30))
        health = float(rng.uniform(20, 95))
        before = 40
        after = max(1, round(before * (1 + trend / 100)))
        for offset in range(1, 61, 3):
            UsageDayFactory.create(
                account=account,
                day=as_of - timedelta(days=offset),
                weekly_active_users=after if offset <= 30 else before,
                monthly_active_users=after + 5,
            )
        HealthScoreFactory.create(
            account=account, day=as_of - timedelta(days=2), score=round(health)
        )
        churned = bool(rng.random() < churn_chance(trend, 0, health))
        if not churned:
            ContractFactory.create(
                account=account,
                kind=ContractKind.RENEWAL,
                starts_on=ended,
                ends_on=ended + timedelta(days=365),
            )
        made.append(HistoryAccount(account, churned))
    return made

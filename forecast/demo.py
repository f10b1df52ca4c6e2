"""Demo renewal history for the churn forecast: past customers of the vendor, each with a first
year that ended in the last year and what followed it (a renewal, a contraction, or nothing),
their usage before it and their health, so that the model has enough outcomes to learn from and
the demo accounts get a probability with drivers.

The history follows a rule with noise: accounts whose usage fell and whose health dropped
churned more often. Generated from a fixed seed; idempotent (accounts by slug, contracts by
external id, usage by account, day, user and feature; the model is trained once).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.activity import record
from accounts.models import Account, Segment, Stage, TouchModel, User
from insights.models import ContractKind
from insights.services.health import compute_health_scores, set_pulse
from insights.services.ingest import upsert_contracts, upsert_usage
from insights.services.usage import roll_up

from . import figures, services
from .models import ForecastModel

HISTORY_ACCOUNTS = 36
OWNERS = ("priya@northwind.example", "tom@northwind.example")
NAMES = (
    "Aperture", "Blue Sun", "Cyberdyne", "Duff", "Ecorp", "Fringe", "Gringotts", "Hooli",
    "Ingen", "Jupiter", "Kruger", "Lacuna", "Massive", "Nakatomi", "Oceanic", "Pied Piper",
    "Quartz", "Rekall", "Soylent", "Tyrell", "Umbrella", "Vandelay", "Wayne", "Xanadu",
    "Yoyodyne", "Zorg", "Acorn", "Bamboo", "Cobalt", "Delta", "Ember", "Falcon", "Granite",
    "Harbor", "Iris", "Juniper",
)  # fmt: skip
SUFFIXES = ("Labs", "Freight", "Foods", "Media", "Health", "Energy")
FEATURES = ("reports", "dashboards", "exports")
DAILY_RETURN = 0.3


def _slug(n: int) -> str:
    return f"history-{n:02d}"


def _chance(trend: float, health_bias: float) -> float:
    """The rule the history follows: churn grows as usage falls and health drops."""
    return 1 / (1 + math.exp(0.6 + 0.06 * trend + 0.04 * health_bias))


def _events(
    account: Account,
    users: int,
    first: date,
    days: int,
    share: tuple[float, float],
    rng: random.Random,
) -> list[dict[str, Any]]:
    """``days`` of usage from ``first``: the share of users still around moves from
    ``share[0]`` over the first half to ``share[1]`` over the second; one around comes back
    on about a third of the days."""
    places = [rng.random() for _ in range(users)]
    rows = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        around = share[0] if offset < days // 2 else share[1]
        for n in range(users):
            if places[n] >= around or rng.random() >= DAILY_RETURN:
                continue
            rows.append(
                {
                    "account_id": account.pk,
                    "user_key": f"{account.slug}-user-{n:02d}",
                    "day": day,
                    "feature": rng.choice(FEATURES),
                    "count": rng.randint(1, 9),
                }
            )
    return rows


def _account(n: int, owner: User, churned: bool, renews_on: date | None) -> Account:
    account = Account.objects.filter(slug=_slug(n)).first()
    if account is not None:
        return account
    account = Account.objects.create(
        name=f"{NAMES[n]} {SUFFIXES[n % len(SUFFIXES)]}",
        slug=_slug(n),
        segment=(Segment.SMB, Segment.MID_MARKET)[n % 2],
        touch_model=TouchModel.LOW,
        stage=Stage.CHURNED if churned else Stage.GROWTH,
        owner=owner,
        renewal_date=renews_on,
    )
    record("created the account", actor=owner, account=account, target=account, internal=True)
    return account


@transaction.atomic
def ensure_demo_forecast(today: date | None = None) -> int:
    """Create the history accounts and train the model once; returns how many accounts (and
    the model) are new."""
    today = today or timezone.localdate()
    if ForecastModel.objects.exists():
        return 0
    rng = random.Random("forecast-history")  # noqa: S311 - demo data, not secrets
    owners = [User.objects.get(email=email) for email in OWNERS]
    created = 0
    contracts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    as_of_days: dict[int, date] = {}
    running: list[Account] = []
    roll_days: set[date] = set()
    for n in range(HISTORY_ACCOUNTS):
        ended = today - timedelta(days=35 + 9 * n)
        trend = rng.gauss(0, 30)  # the change of active users before the renewal, in %
        health_bias = rng.uniform(-25, 25)
        churned = rng.random() < _chance(trend, health_bias)
        contracted = not churned and rng.random() < 0.15
        renews_on = None if churned else ended + timedelta(days=365)
        before = Account.objects.filter(slug=_slug(n)).exists()
        account = _account(n, owners[n % 2], churned, renews_on)
        created += not before
        users = rng.randint(8, 16)
        value = Decimal(rng.choice((12000, 18000, 24000, 36000)))
        contracts.append(
            {"account_id": account.pk, "external_id": f"{account.slug.upper()}-Y1", "product": "Northwind Analytics", "kind": ContractKind.NEW, "starts_on": ended - timedelta(days=365), "ends_on": ended, "recurring_value": value, "term_months": 12}
        )  # fmt: skip
        if not churned:
            kind = ContractKind.CONTRACTION if contracted else ContractKind.RENEWAL
            contracts.append(
                {"account_id": account.pk, "external_id": f"{account.slug.upper()}-Y2", "product": "Northwind Analytics", "kind": kind, "starts_on": ended, "ends_on": ended + timedelta(days=365), "recurring_value": value / 2 if contracted else value, "term_months": 12}
            )  # fmt: skip
            running.append(account)
        # Usage in the 60 days before the forecast's day, the trend in its last 30.
        as_of = ended - timedelta(days=figures.HORIZON_DAYS)
        as_of_days[account.pk] = as_of
        start_share = rng.uniform(0.45, 0.8) + health_bias / 100
        end_share = max(0.05, min(0.95, start_share * (1 + trend / 100)))
        first = as_of - timedelta(days=60)
        events += _events(account, users, first, 60, (start_share, end_share), rng)
        roll_days |= {first + timedelta(days=d) for d in range(7, 60, 3)}
        if not churned:  # and today's, for the forecast ahead of its next renewal
            now_trend = rng.gauss(0, 25)
            now_end = max(0.05, min(0.95, start_share * (1 + now_trend / 100)))
            events += _events(
                account, users, today - timedelta(days=60), 60, (start_share, now_end), rng
            )
        set_pulse(account, {"licensed_seats": users + rng.randint(0, 8)}, acting_user=owners[n % 2])
    upsert_contracts(contracts)
    upsert_usage(events)
    ids = list(as_of_days)
    roll_days |= {today - timedelta(days=d) for d in range(1, 54, 3)}
    roll_up(ids, roll_days)
    for account_id, as_of in as_of_days.items():
        compute_health_scores([account_id], as_of - timedelta(days=1))
    compute_health_scores([a.pk for a in running], today - timedelta(days=1))
    model = services.retrain(today=today)
    return created + (model is not None)

"""Demo data for insights: contracts, product users and ~190 days of usage for the three demo
accounts, written through the same bulk path as the API, then rolled up and scored.

Idempotent: the rows are keyed by external id (usage by account, day, user and feature) and
generated from a fixed seed, so a second run on the same day changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Account

from .models import AccountFacts, Contract, ContractKind, ProductUser, UsageEvent
from .services.health import compute_health_scores
from .services.ingest import upsert_contracts, upsert_usage, upsert_users
from .services.usage import days_back, roll_up

# At most this many days of usage, from each account's first contract on: Acme's whole year
# for its Wrapped, and the last full quarter for its business review.
USAGE_DAYS = 400
HEALTH_HISTORY_DAYS = 30
FEATURES = ["reports", "dashboards", "exports", "alerts", "api"]


@dataclass(frozen=True)
class DemoAccount:
    slug: str
    users: int
    seats: int
    pulse: str
    pulse_note: str
    # Each user's chance of being active on a day, USAGE_DAYS ago and today: a trend.
    activity: tuple[float, float]
    # (external id, kind, starts days ago, months, total value)
    contracts: tuple[tuple[str, str, int, int, str], ...]


DEMO = [
    DemoAccount(
        slug="acme",
        users=40,
        seats=50,
        pulse=AccountFacts.Pulse.GOOD,
        pulse_note="Exports fixed; the champion is pushing reports to finance.",
        activity=(0.5, 0.85),
        contracts=(
            # A customer since last autumn: the first year, renewed on the day it ended (the
            # account's renewal date is a year on), then an upsell of more seats, mid-term.
            ("ACME-2025-01", ContractKind.NEW, 410, 12, "96000"),
            ("ACME-2026-01", ContractKind.RENEWAL, 45, 12, "96000"),
            ("ACME-2026-02", ContractKind.EXPANSION, 20, 12, "24000"),
        ),
    ),
    DemoAccount(
        slug="globex",
        users=25,
        seats=30,
        pulse=AccountFacts.Pulse.NEUTRAL,
        pulse_note="Mobile log-outs annoy the store managers.",
        activity=(0.75, 0.7),
        contracts=(("GLOBEX-2025-01", ContractKind.NEW, 225, 12, "42000"),),
    ),
    DemoAccount(
        slug="initech",
        users=12,
        seats=25,
        pulse=AccountFacts.Pulse.CONCERNED,
        pulse_note="Budget cuts; the sponsor asked about fewer seats.",
        activity=(0.9, 0.4),
        contracts=(
            ("INITECH-2024-01", ContractKind.NEW, 410, 12, "60000"),
            # Renewed for less, for a quarter, while they decide: a contraction.
            ("INITECH-2025-01", ContractKind.CONTRACTION, 45, 3, "9000"),
        ),
    ),
]


def _contracts(account: Account, spec: DemoAccount, today: date) -> list[dict[str, Any]]:
    rows = []
    for external_id, kind, days_ago, months, value in spec.contracts:
        starts = today - timedelta(days=days_ago)
        rows.append(
            {
                "account_id": account.pk,
                "external_id": external_id,
                "product": "Northwind Analytics",
                "kind": kind,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=round(months * 365 / 12)),
                "recurring_value": Decimal(value),
                "term_months": months,
                "one_off_fees": Decimal(2500) if kind == ContractKind.NEW else Decimal(0),
            }
        )
    return rows


def _users(account: Account, spec: DemoAccount) -> list[dict[str, Any]]:
    return [
        {
            "account_id": account.pk,
            "external_id": f"{spec.slug}-user-{n:02d}",
            "email": f"user{n:02d}@{spec.slug}.example",
            "name": f"{spec.slug.title()} user {n}",
        }
        for n in range(1, spec.users + 1)
    ]


def usage_days(spec: DemoAccount) -> int:
    """How many days of usage the account has: since its first contract, at most USAGE_DAYS."""
    return min(USAGE_DAYS, max(days_ago for _, _, days_ago, _, _ in spec.contracts))


def _usage(account: Account, spec: DemoAccount, today: date) -> list[dict[str, Any]]:
    """Each user has favourite features and a habit (how often they come back); the share of
    users still around moves from ``spec.activity[0]`` to ``[1]`` over those days."""
    rng = random.Random(f"{spec.slug}-usage")  # noqa: S311 - demo data, not secrets
    users = [
        (n, rng.sample(FEATURES, k=rng.randint(1, 3)), rng.uniform(0.1, 0.9), rng.random())
        for n in range(1, spec.users + 1)
    ]
    first, last = spec.activity
    rows: list[dict[str, Any]] = []
    days = usage_days(spec)
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        around = last + (first - last) * offset / (days - 1)
        weekend = day.weekday() >= 5
        for n, features, habit, place in users:
            if place >= around or rng.random() >= habit / (4 if weekend else 1):
                continue
            rows.extend(
                {
                    "account_id": account.pk,
                    "user_key": f"{spec.slug}-user-{n:02d}",
                    "day": day,
                    "feature": feature,
                    "count": rng.randint(1, 12),
                }
                for feature in features
                if rng.random() < 0.8
            )
    return rows


def _facts(account: Account, spec: DemoAccount) -> int:
    _, created = AccountFacts.objects.get_or_create(
        account=account,
        defaults={
            "licensed_seats": spec.seats,
            "pulse": spec.pulse,
            "pulse_note": spec.pulse_note,
            "pulse_at": timezone.now(),
            # Acme's CSM shares its health with the customer (the executive's home shows it).
            "customers_see_health": account.slug == "acme",
        },
    )
    return int(created)


def _row_count() -> int:
    return Contract.objects.count() + ProductUser.objects.count() + UsageEvent.objects.count()


@transaction.atomic
def ensure_demo_insights(today: date | None = None) -> int:
    """Create the demo insights for the accounts that exist; returns how many rows are new
    (0 when run again on the same day)."""
    today = today or timezone.localdate()
    accounts = {a.slug: a for a in Account.objects.filter(slug__in=[d.slug for d in DEMO])}
    before = _row_count()
    created = 0
    for spec in DEMO:
        account = accounts.get(spec.slug)
        if account is None:
            continue
        upsert_contracts(_contracts(account, spec, today))
        upsert_users(_users(account, spec))
        upsert_usage(_usage(account, spec, today))
        created += _facts(account, spec)
    ids = [a.pk for a in accounts.values()]
    roll_up(ids, days_back(today, USAGE_DAYS))
    # A month of daily scores, so the 360° page has a history to draw from the first look.
    for day in days_back(today, HEALTH_HISTORY_DAYS):
        compute_health_scores(ids, day)
    return created + _row_count() - before


# Upsell leads (CSQLs) ----------------------------------------------------------------------

DEMO_OFFERS = (
    # (name, segment, product, ARR it adds)
    ("Northwind Connect (API and warehouse sync)", "enterprise", "Northwind Connect", "18000"),
    ("Forecasting module", "mid_market", "Northwind Forecasting", "9600"),
    ("Scheduled exports", "smb", "Northwind Exports", "3600"),
)
# (plan, feature, people allowed in 30 days, ARR of the next tier)
DEMO_LIMITS = (("Northwind Analytics", "api", 12, "7200"),)
# (account, reason, rule, status, ARR guess, ARR won, days ago raised, days ago closed, why lost)
DEMO_LEADS: tuple[tuple[str, str, str, str, str, str, int, int, str], ...] = (
    ("acme", "Finance wants ten more seats for month-end reporting before the audit.", "hand", "won", "24000", "24000", 40, 22, ""),
    ("acme", "Asked for single sign-on and audit logs: the Enterprise tier's security pack.", "hand", "passed", "15000", "", 12, 0, ""),
    ("globex", "Store managers want the offline mobile pack for the 40 new stores opening in spring.", "hand", "won", "8400", "8400", 35, 9, ""),
    ("globex", "Regional directors asked about a second workspace for the franchise stores.", "hand", "open", "12000", "", 6, 0, ""),
    ("initech", "Offered the forecasting module at the QBR; the sponsor liked the demo.", "hand", "lost", "9600", "", 80, 50, "Budget frozen until the next fiscal year"),
    ("initech", "Asked whether contractors could get read-only seats.", "playbook", "dismissed", "", "", 120, 110, ""),
)  # fmt: skip


@transaction.atomic
def ensure_demo_csqls(today: date | None = None) -> int:
    """The CSQL rules' settings (offers, a plan's feature limit), leads in every status with
    their reasons, then tonight's rules run once. Idempotent: offers, limits and leads are
    keyed by what they say, and the rules never raise a second active lead."""
    from .models import CrossSellOffer, FeatureLimit, UpsellLead
    from .services.csql_rules import run_csql_rules
    from .services.upsell import contract_currency

    today = today or timezone.localdate()
    now = timezone.now()
    created = 0
    for name, segment, product, amount in DEMO_OFFERS:
        _, new = CrossSellOffer.objects.get_or_create(
            segment=segment,
            product=product,
            defaults={"name": name, "amount_guess": Decimal(amount)},
        )
        created += new
    for plan, feature, users, amount in DEMO_LIMITS:
        _, new = FeatureLimit.objects.get_or_create(
            feature=feature,
            product=plan,
            account=None,
            defaults={"users": users, "amount_guess": Decimal(amount)},
        )
        created += new
    accounts = {a.slug: a for a in Account.objects.filter(slug__in=[d.slug for d in DEMO])}
    owners = {a.slug: a.owner for a in accounts.values()}
    for slug, reason, rule, status, guess, won, raised, closed, why in DEMO_LEADS:
        account = accounts.get(slug)
        if account is None or UpsellLead.objects.filter(account=account, reason=reason).exists():
            continue
        closed_at = now - timedelta(days=closed) if status in ("won", "lost", "dismissed") else None
        UpsellLead.objects.create(
            account=account,
            reason=reason,
            rule=rule,
            status=status,
            source="a playbook"
            if rule == "playbook"
            else f"raised by {getattr(owners[slug], 'display_name', 'the CSM')}",
            flagged_by=owners[slug] if rule == "hand" else None,
            amount_guess=Decimal(guess) if guess else None,
            currency=contract_currency(account, today),
            created_at=now - timedelta(days=raised),
            passed_at=now - timedelta(days=max(raised - 3, 0)) if status != "open" else None,
            closed_at=closed_at,
            won_amount=Decimal(won) if won else None,
            won_on=closed_at.date() if closed_at and status == "won" else None,
            lost_reason=why,
        )
        created += 1
    return created + sum(run_csql_rules(today).values())

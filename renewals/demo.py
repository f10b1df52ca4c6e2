"""Demo renewals: a pipeline with every stage, spread over Northwind's demo accounts and the
next twelve months. Besides the accounts' main contracts (insights' demo), a few add-on lines
(connectors, mobile, premium support) are booked through insights' import service so each
stage has a renewal. Initech churns for a budget cut; Globex's mobile add-on contracts for low
adoption; Acme has committed its connectors and ticked its first checklist steps.
Idempotent: a renewal already moved on is left as it is."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.access import AccountAccess, Role
from accounts.models import Account, User
from insights.models import ContractKind
from insights.services.ingest import upsert_contracts

from .models import ChurnReason, Forecast, Renewal, RenewalStage
from .services import open_renewals, tick_step, update_renewal

# (account, external id, product, starts days ago, months, total value)
ADD_ONS = [
    ("acme", "ACME-CONNECT-01", "Northwind Connectors", 300, 12, "18000"),
    ("acme", "ACME-SUPPORT-01", "Premium support", 200, 12, "12000"),
    ("globex", "GLOBEX-MOBILE-01", "Northwind Mobile", 340, 12, "9000"),
    ("globex", "GLOBEX-CONNECT-01", "Northwind Connectors", 150, 12, "12000"),
    ("initech", "INITECH-SUPPORT-01", "Premium support", 250, 12, "8000"),
]

# external id -> what the CSM has made of it
PLAN: dict[str, dict[str, Any]] = {
    "ACME-2026-01": {"stage": RenewalStage.NOT_STARTED, "forecast": Forecast.LIKELY},
    "ACME-2026-02": {"stage": RenewalStage.NOT_STARTED, "forecast": Forecast.LIKELY},
    "ACME-CONNECT-01": {
        "stage": RenewalStage.COMMITTED,
        "forecast": Forecast.LIKELY,
        "forecast_reason": "Dana confirmed the budget on the QBR call.",
        "amount_committed": Decimal("18000"),
    },
    "ACME-SUPPORT-01": {
        "stage": RenewalStage.EXPANDED,
        "forecast": Forecast.LIKELY,
        "forecast_reason": "Renewed early with the 24/7 tier.",
        "amount_committed": Decimal("15000"),
    },
    "GLOBEX-2025-01": {
        "stage": RenewalStage.IN_PROGRESS,
        "forecast": Forecast.AT_RISK,
        "forecast_reason": "Store managers unhappy with mobile log-outs; NPS passive.",
    },
    "GLOBEX-MOBILE-01": {
        "stage": RenewalStage.CONTRACTED,
        "forecast": Forecast.AT_RISK,
        "amount_committed": Decimal("6000"),
        "churn_reason": "Low adoption",
        "churn_note": "Only the flagship stores use the app; they kept 40 of 60 licences.",
    },
    "GLOBEX-CONNECT-01": {
        "stage": RenewalStage.RENEWED,
        "forecast": Forecast.LIKELY,
        "amount_committed": Decimal("12000"),
    },
    "INITECH-2025-01": {
        "stage": RenewalStage.CHURNED,
        "forecast": Forecast.WILL_CHURN,
        "forecast_reason": "The sponsor asked about fewer seats, then stopped answering.",
        "churn_reason": "Budget cut",
        "churn_note": "Finance froze new tooling spend until the next fiscal year.",
    },
    "INITECH-SUPPORT-01": {
        "stage": RenewalStage.IN_PROGRESS,
        "forecast": Forecast.WILL_CHURN,
        "forecast_reason": "Goes with the main contract.",
    },
}
ACME_TICKED = {
    "Renewal kick-off call": "priya@northwind.example",
    "Security review": "dana@acme.example",
}


def _add_ons(accounts: dict[str, Account], today: date) -> None:
    rows = []
    for slug, external_id, product, days_ago, months, value in ADD_ONS:
        account = accounts.get(slug)
        if account is None:
            continue
        starts = today - timedelta(days=days_ago)
        rows.append(
            {
                "account_id": account.pk,
                "external_id": external_id,
                "product": product,
                "kind": ContractKind.EXPANSION,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=round(months * 365 / 12)),
                "recurring_value": Decimal(value),
                "term_months": months,
            }
        )
    upsert_contracts(rows)


def ensure_demo_renewals(today: date | None = None) -> int:
    today = today or timezone.localdate()
    accounts = {a.slug: a for a in Account.objects.filter(slug__in=["acme", "globex", "initech"])}
    if not accounts:
        return 0
    _add_ons(accounts, today)
    opened = open_renewals(today=today, acting_user=None)
    owner_of = {a.pk: a.owner for a in accounts.values()}
    renewals = Renewal.objects.filter(account__in=accounts.values()).select_related("contract")
    for renewal in renewals:
        plan = PLAN.get(renewal.contract.external_id)
        owner = owner_of.get(renewal.account_id)
        if plan is None or owner is None or renewal.stage != RenewalStage.NOT_STARTED:
            continue
        fields = dict(plan)
        reason = fields.pop("churn_reason", None)
        update_renewal(
            renewal,
            churn_reason=ChurnReason.objects.get_or_create(name=reason)[0] if reason else None,
            acting_user=owner,
            **fields,
        )
    _tick_acme(accounts.get("acme"))
    return len(opened)


def _tick_acme(acme: Account | None) -> None:
    if acme is None:
        return
    renewal = acme.renewals.filter(contract__external_id="ACME-CONNECT-01").first()
    if renewal is None:
        return
    people = {u.email: u for u in User.objects.filter(email__in=ACME_TICKED.values())}
    for step in renewal.steps.filter(title__in=ACME_TICKED, done_at__isnull=True):
        user = people.get(ACME_TICKED[step.title])
        if user is None:
            continue
        role = Role.CSM if user.is_vendor else Role.CHAMPION
        tick_step(step, done=True, access=AccountAccess(account=acme, role=role), acting_user=user)

"""Renewals' factories, and its rows of the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Account
from insights.models import Contract
from renewals.models import ChurnReason, Renewal, RenewalStep, Side, StepTemplate
from renewals.services import annual_value
from tests.conftest import World

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
POST_ONLY = [405] * 8

RENEWALS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "renewals_pipeline": (CONSOLE_READ, None),
    "renewals_csv": (CONSOLE_READ, None),
    "churn_reasons": (ADMIN_READ, ADMIN_WRITE),
    "churn_reasons_report": (ADMIN_READ, None),
    "churn_reason_active": (POST_ONLY, ADMIN_WRITE),
    "renewal_checklist": (ADMIN_READ, ADMIN_WRITE),
    "renewal_checklist_remove": (POST_ONLY, ADMIN_WRITE),
    # Forecasts and amounts: the vendor's only.
    "renewal_edit": (VENDOR_READ, VENDOR_WRITE),
    # The customer's page: champions and executives (and the account's vendor staff).
    "renewal_page": ([L, 200, 200, 403, 404, 200, 404, 200], None),
    "renewal_step_tick": (POST_ONLY, [L, 302, 302, 403, 404, 302, 404, 302]),
    # A vendor's step: the customer's people may not tick it.
    "renewal_step_tick#vendor_step": (POST_ONLY, [L, 403, 403, 403, 404, 302, 404, 302]),
}


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    external_id = factory.Sequence(lambda n: f"C-{n}")
    product = "Analytics Pro"
    starts_on = date(2026, 1, 1)
    ends_on = date(2027, 1, 1)
    recurring_value = Decimal("12000")
    term_months = 12


class ChurnReasonFactory(factory.django.DjangoModelFactory[ChurnReason]):
    class Meta:
        model = ChurnReason
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Reason {n}")


class StepTemplateFactory(factory.django.DjangoModelFactory[StepTemplate]):
    class Meta:
        model = StepTemplate

    title = factory.Sequence(lambda n: f"Step {n}")
    side = Side.CUSTOMER
    position = factory.Sequence(lambda n: 100 + n)


class RenewalFactory(factory.django.DjangoModelFactory[Renewal]):
    """A renewal of a contract of its own (one-year, 12,000 a year unless told)."""

    class Meta:
        model = Renewal

    contract = factory.SubFactory(ContractFactory)
    account = factory.SelfAttribute("contract.account")
    amount_at_stake = factory.LazyAttribute(lambda o: annual_value(o.contract))
    renews_on = factory.LazyAttribute(lambda o: o.contract.ends_on)


class RenewalStepFactory(factory.django.DjangoModelFactory[RenewalStep]):
    class Meta:
        model = RenewalStep

    renewal = factory.SubFactory(RenewalFactory)
    title = factory.Sequence(lambda n: f"Step {n}")
    side = Side.CUSTOMER
    position = factory.Sequence(lambda n: n)


def make_renewal(
    account: Account,
    *,
    ends_on: date,
    value: Decimal = Decimal("12000"),
    starts_on: date | None = None,
    **fields: Any,
) -> Renewal:
    contract = ContractFactory.create(
        account=account,
        starts_on=starts_on or ends_on - timedelta(days=365),
        ends_on=ends_on,
        recurring_value=value,
    )
    return RenewalFactory.create(contract=contract, **fields)


def make_renewals_world(world: World) -> dict[str, Any]:
    renewal = make_renewal(world.account, ends_on=timezone.localdate() + timedelta(days=60))
    return {
        "renewal": renewal,
        "customer_step": RenewalStepFactory.create(renewal=renewal, side=Side.CUSTOMER),
        "vendor_step": RenewalStepFactory.create(renewal=renewal, side=Side.VENDOR),
        "reason": ChurnReasonFactory.create(name="Matrix reason"),
        "template_step": StepTemplateFactory.create(title="Matrix step"),
    }


def renewals_url_args(
    ctx: dict[str, Any], slug: str
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    renewal = ctx["renewal"]
    return {
        "churn_reasons": ([], {"name": "Moved to spreadsheets"}),
        "churn_reason_active": ([ctx["reason"].pk], {}),
        "renewal_checklist": ([], {"title": "Legal review", "side": "customer"}),
        "renewal_checklist_remove": ([ctx["template_step"].pk], {}),
        "renewal_edit": ([slug, renewal.pk], {"stage": "committed", "forecast": "likely", "amount_committed": "12500"}),
        "renewal_step_tick": ([slug, ctx["customer_step"].pk], {"done": "on"}),
        "renewal_step_tick#vendor_step": ([slug, ctx["vendor_step"].pk], {"done": "on"}),
    }  # fmt: skip

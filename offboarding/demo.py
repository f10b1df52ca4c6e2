"""Demo offboardings. Initech's main renewal churned for a budget cut (renewals' demo): its
offboarding is under way, the exit survey sent to Lena, the data export shared. Vandelay
Imports, a small account whose renewal churned to a competitor, is offboarded: every step
done, Nora's exit survey answered. Idempotent: an offboarding already there is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.access import AccountAccess, Role
from accounts.models import Account, User
from insights.models import ContractKind
from insights.services.ingest import upsert_contracts
from renewals.models import ChurnReason, Forecast, Renewal, RenewalStage
from renewals.services import open_renewals, update_renewal
from sentiment.services import score_all_comments
from surveys.models import Delivery, Kind
from surveys.services import record_exit_response

from .models import Offboarding, Side
from .services import complete_offboarding, start_offboarding, tick_step

VANDELAY_CONTRACT = "VANDELAY-2025-01"


def ensure_demo_offboarding() -> int:
    made = 0
    initech = Account.objects.filter(slug="initech").select_related("owner").first()
    if initech is not None and not Offboarding.objects.filter(account=initech).exists():
        _initech(initech)
        made += 1
    vandelay = Account.objects.filter(slug="vandelay").select_related("owner").first()
    if vandelay is not None and not Offboarding.objects.filter(account=vandelay).exists():
        _vandelay(vandelay)
        made += 1
    return made


def _initech(account: Account) -> None:
    renewal = (
        Renewal.objects.filter(account=account, stage=RenewalStage.CHURNED)
        .order_by("renews_on")
        .first()
    )
    offboarding = start_offboarding(account, renewal=renewal, acting_user=None)
    owner = account.owner
    if owner is None:
        return
    vendor = AccountAccess(account=account, role=Role.CSM)
    step = offboarding.steps.filter(side=Side.VENDOR).order_by("position").first()
    if step is not None:
        tick_step(step, done=True, access=vendor, acting_user=owner)


def _vandelay(account: Account) -> None:
    owner = account.owner
    if owner is None:
        return
    today = timezone.localdate()
    starts = today - timedelta(days=345)
    upsert_contracts(
        [
            {
                "account_id": account.pk,
                "external_id": VANDELAY_CONTRACT,
                "product": "Northwind Analytics",
                "kind": ContractKind.NEW,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=365),
                "recurring_value": Decimal("14400"),
                "term_months": 12,
            }
        ]
    )
    open_renewals(today=today, acting_user=None)
    renewal = Renewal.objects.filter(
        account=account, contract__external_id=VANDELAY_CONTRACT
    ).first()
    if renewal is not None and renewal.stage == RenewalStage.NOT_STARTED:
        update_renewal(
            renewal,
            stage=RenewalStage.CHURNED,
            forecast=Forecast.WILL_CHURN,
            forecast_reason="Their new COO brought a competitor's suite from her last company.",
            churn_reason=ChurnReason.objects.get_or_create(name="Chose a competitor")[0],
            churn_note="Moving every team to one suite; our reporting was the one piece they liked.",
            acting_user=owner,
        )
    offboarding = start_offboarding(account, renewal=renewal, acting_user=owner)
    champion = User.objects.filter(email="nora@vandelay.example").first()
    delivery = (
        Delivery.objects.filter(account=account, user=champion, campaign__survey__kind=Kind.EXIT)
        .select_related("campaign__survey", "account")
        .first()
    )
    if delivery is not None:
        record_exit_response(
            delivery,
            reason="Chose a competitor",
            comment="The reports were the best we had. We needed one suite for every team, "
            "and the export made the move easy. Thank you, Tom.",
        )
        # Scored now, as sentiment's demo scored the comments before it (its job runs after
        # the demo's commit), so a second load finds nothing left to do.
        score_all_comments([account.pk])
    vendor = AccountAccess(account=account, role=Role.CSM)
    customer = AccountAccess(account=account, role=Role.CHAMPION)
    for step in offboarding.steps.filter(done_at__isnull=True).select_related("offboarding"):
        if step.side == Side.CUSTOMER and champion is not None and not step.is_exit_survey:
            tick_step(step, done=True, access=customer, acting_user=champion)
        else:
            tick_step(step, done=True, access=vendor, acting_user=owner)
    complete_offboarding(offboarding, acting_user=owner)

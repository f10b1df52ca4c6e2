"""Demo handovers: Acme's, sent by the CRM through the API's service and reviewed by Priya,
its objectives already in the success plan; and one for Hooli Payments, a customer signed
last week, received and waiting for review, with an empty plan its objectives are offered to.
Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, Segment, Stage, TouchModel, User
from accounts.services import save_account
from insights.api_schemas import ContractRow, resolve_rows
from insights.services.ingest import write_rows
from successplans.models import SuccessPlan
from successplans.services import create_plan

from .figures import objective_offer
from .models import Handover
from .services import (
    HandoverIn,
    ObjectiveIn,
    PromiseIn,
    StakeholderIn,
    mark_reviewed,
    receive_handover,
    take_objectives,
)

SOURCE = "Salesforce sync"


def _acme(today: date) -> HandoverIn:
    return HandoverIn(
        expectations="Month-end close in two days instead of six, with one place for every "
        "carrier invoice. The CFO wants the first automated close before the Q1 board meeting.",
        challenges="Invoices arrive from 40 carriers in four formats; the finance team is "
        "stretched by the peak season; IT wants SSO before anyone is invited.",
        deal_closed_on=today - timedelta(days=40),
        deal_amount=Decimal("48000.00"),
        sales_owner="Jordan Blake",
        source_id="006Qx00000Acme01",
        objectives=[
            ObjectiveIn(
                title="Every carrier invoice in one place",
                why="Invoices are spread over four inboxes and a shared drive.",
                measure="Share of invoices imported automatically",
            ),
            ObjectiveIn(
                title="Settle carrier disputes within a week",
                why="Disputed invoices wait a month today, and late fees follow.",
                measure="Median days to settle a dispute, from 30 to 7",
            ),
        ],
        stakeholders=[
            StakeholderIn(
                name="Elijah Brooks",
                title="CFO",
                deal_role="Economic buyer, signed the order",
                email="eli@acme.example",
                influence="decision_maker",
            ),
            StakeholderIn(
                name="Dana Whitfield",
                title="Finance operations lead",
                deal_role="Champion, ran the evaluation",
                email="dana@acme.example",
                influence="high",
            ),
            StakeholderIn(
                name="Marcus Hale",
                title="IT security",
                deal_role="Approved SSO and data handling",
                influence="medium",
            ),
        ],
        promises=[
            PromiseIn(
                promise="SSO with their identity provider before the team is invited",
                promised_by="Jordan Blake",
                due_on=today - timedelta(days=10),
            ),
            PromiseIn(
                promise="A custom import for the two largest carriers' formats",
                promised_by="Solutions engineering",
                due_on=today + timedelta(days=20),
            ),
        ],
    )


def _hooli(today: date) -> HandoverIn:
    return HandoverIn(
        expectations="A working payout reconciliation for their three markets within 60 days; "
        "weekly check-ins during onboarding.",
        challenges="A small finance team of three; their data warehouse migration ends in "
        "March, so the first imports come from CSV files.",
        deal_closed_on=today - timedelta(days=6),
        deal_amount=Decimal("18500.00"),
        sales_owner="Jordan Blake",
        source_id="006Qx00000Hool07",
        objectives=[
            ObjectiveIn(
                title="Reconcile payouts daily in every market",
                why="Mismatched payouts are found weeks late today, by customers.",
                measure="Payout mismatches found the same day",
            ),
            ObjectiveIn(
                title="Cut manual spreadsheet work in half",
                why="The team spends two days a week in spreadsheets.",
                measure="Hours a week on manual reconciliation, from 16 to 8",
            ),
            ObjectiveIn(
                title="Audit-ready reports for the annual review",
                why="Their auditors asked for a trail of every adjustment.",
                measure="Adjustments with an owner and a reason",
            ),
        ],
        stakeholders=[
            StakeholderIn(
                name="Grace Okoye",
                title="Head of finance",
                deal_role="Signer and champion",
                email="grace@hooli.example",
                influence="decision_maker",
            ),
            StakeholderIn(
                name="Tim Varga",
                title="Data engineer",
                deal_role="Evaluated the imports",
                influence="medium",
            ),
        ],
        promises=[
            PromiseIn(
                promise="Weekly onboarding calls until go-live",
                promised_by="Jordan Blake",
                due_on=today + timedelta(days=60),
            ),
        ],
    )


def _hooli_account(owner: User) -> Account:
    account = Account.objects.filter(slug="hooli").first()
    if account is not None:
        return account
    account = Account(
        name="Hooli Payments",
        slug="hooli",
        segment=Segment.MID_MARKET,
        touch_model=TouchModel.HIGH,
        stage=Stage.ONBOARDING,
        owner=owner,
        renewal_date=timezone.localdate() + timedelta(days=359),
        brand_color="#1d4ed8",
        email_domains="hooli.example",
    )
    account = save_account(account, acting_user=owner, before=None)
    # The contract the deal signed, as the CRM sync would push it.
    start = timezone.localdate() - timedelta(days=6)
    row = ContractRow(
        account="hooli",
        external_id="HOOLI-2027",
        product="Growth plan",
        starts_on=start,
        ends_on=start + timedelta(days=365),
        recurring_value=Decimal("18500.00"),
    )
    rows, problems = resolve_rows("contracts", [row], Account.objects.filter(pk=account.pk))
    if not problems:
        write_rows("contracts", rows)
    return account


def ensure_demo_handovers() -> int:
    made = 0
    today = timezone.localdate()
    acme = Account.objects.filter(slug="acme").select_related("owner").first()
    if (
        acme is not None
        and acme.owner is not None
        and not Handover.objects.filter(account=acme).exists()
    ):
        handover, _ = receive_handover(acme, _acme(today), source=SOURCE, acting_user=None)
        offer = objective_offer(handover, today)
        if offer.plan is not None:
            take_objectives(handover, offer.plan, acting_user=acme.owner)
        mark_reviewed(handover, acting_user=acme.owner)
        made += 1
    owner = User.objects.filter(email="priya@northwind.example").first()
    if owner is not None and not Handover.objects.filter(account__slug="hooli").exists():
        hooli = _hooli_account(owner)
        if not SuccessPlan.objects.filter(account=hooli).exists():
            create_plan(
                hooli,
                name=f"{today.year + 1} success plan",
                starts_on=today,
                ends_on=today + timedelta(days=359),
                template=None,
                acting_user=owner,
            )
        receive_handover(hooli, _hooli(today), source=SOURCE, acting_user=None)
        made += 1
    return made

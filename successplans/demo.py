"""Demo data for success plans: a realistic plan, with KPI history, for two demo accounts.

The dates agree with the other demo data: each plan starts a few days after the account's
current contract started (insights/demo.py: Acme's renewal 45 days ago, Globex's first
contract 225 days ago, both for 12 months) and ends on its renewal, the contract's end. The
milestones follow on from the Acme business review of the last quarter (reports/demo.py): the
data sources it planned to connect and the first board pack out of the portal are done since,
the finance training it says slipped is in progress past its date, and the two report owners
it names are still an open action item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from onboarding.models import Side


@dataclass(frozen=True)
class DemoPlan:
    slug: str
    contract_days_ago: int  # when the account's first contract started (insights/demo.py)
    contract_days: int  # its length: 12 months
    kickoff_after_days: int  # the plan starts this long after the contract
    kpi_values: tuple[str, ...]


DEMO_PLANS = [
    DemoPlan("acme", contract_days_ago=45, contract_days=365, kickoff_after_days=5,
             kpi_values=("46", "41", "37", "35")),
    DemoPlan("globex", contract_days_ago=225, contract_days=365, kickoff_after_days=25,
             kpi_values=("62", "70", "78", "81", "83")),
]  # fmt: skip


def _at(day: date) -> datetime:
    """Mid-morning on ``day``, in the portal's time zone."""
    return timezone.make_aware(datetime.combine(day, time(10)))


@transaction.atomic
def ensure_demo_plans() -> int:
    """A realistic success plan for Acme and Globex, with KPI history. Idempotent."""
    from decimal import Decimal

    from accounts.models import Account, Membership

    from .models import KPI, ActionItem, KPIValue, Milestone, Objective, SuccessPlan
    from .services import create_plan

    made = 0
    today = timezone.localdate()
    for spec in DEMO_PLANS:
        account = Account.objects.filter(slug=spec.slug).select_related("owner").first()
        if account is None or account.owner is None:
            continue  # a plan is created by its account's CSM
        if SuccessPlan.objects.filter(account=account).exists():
            continue
        champion = account.memberships.filter(role="champion").select_related("user").first()
        member = account.memberships.filter(role="member").select_related("user").first()
        signed = today - timedelta(days=spec.contract_days_ago)
        start = signed + timedelta(days=spec.kickoff_after_days)
        renewal = signed + timedelta(days=spec.contract_days)
        plan = create_plan(
            account,
            name=f"{renewal.year} success plan",
            starts_on=start,
            ends_on=renewal,
            template=None,
            acting_user=account.owner,
        )
        falling = spec.slug == "acme"
        values = spec.kpi_values
        reporting = Objective.objects.create(
            plan=plan,
            title="Close the books faster"
            if falling
            else "Every store manager works from the dashboard",
            why="Finance spends two days on month-end reports; the board wants them on day 1."
            if falling
            else "Store managers still e-mail spreadsheets; the regional leads want one view.",
            owner=champion.user if champion else None,
            target_date=start + timedelta(days=270),
        )
        kpi = KPI.objects.create(
            objective=reporting,
            name="Month-end reporting time" if falling else "Weekly active store managers",
            unit="hours" if falling else "%",
            baseline=Decimal(48 if falling else 55),
            target=Decimal(8 if falling else 90),
            current=Decimal(values[-1]),
            target_date=start + timedelta(days=270),
        )
        for i, value in enumerate(values):
            KPIValue.objects.create(
                kpi=kpi,
                value=Decimal(value),
                recorded_at=timezone.now() - timedelta(days=(len(values) - 1 - i) * 9),
            )
        Objective.objects.create(
            plan=plan,
            title="Expand to the second business unit",
            why="Upsell path agreed with the sponsor.",
            internal=True,
            position=1,
        )
        # (title, days after the start, side, status, days after the start it was done)
        for title, offset, side, status, done_after in [
            ("Data sources connected", 20, Side.CUSTOMER, "done", 18),
            # Acme: slipped, as the business review says; Globex: long done.
            ("Finance team trained", 30, Side.VENDOR, "in_progress" if falling else "done", 33),
            ("First board pack from the portal", 35, Side.CUSTOMER, "done", 34),
            ("Executive business review", 180, Side.VENDOR,
             "planned" if falling else "done", 176),
        ]:  # fmt: skip
            Milestone.objects.create(
                plan=plan,
                title=title,
                target_date=start + timedelta(days=offset),
                owner_side=side,
                status=status,
                done_at=_at(start + timedelta(days=done_after)) if status == "done" else None,
            )
        # (title, side, who, due days after the start, status, done days after the start).
        # Acme still has to name its report owners (the review says so); Globex, 200 days in,
        # has done all four, the executive review among them.
        actions: list[tuple[str, str, Membership | None, int, str, int | None]] = [
            ("Share the current month-end checklist", Side.CUSTOMER, champion, 10, "done", 8),
            ("Nominate two report owners", Side.CUSTOMER, member, 50,
             *(("open", None) if falling else ("done", 47))),
            ("Build the board pack template", Side.VENDOR, None, 30, "done", 29),
            ("Schedule the executive review", Side.VENDOR, None, 150,
             *(("open", None) if falling else ("done", 140))),
        ]  # fmt: skip
        for action_title, action_side, who, due, action_status, completed_after in actions:
            ActionItem.objects.create(
                plan=plan, title=action_title, side=action_side, status=action_status,
                assignee=(who.user if who else account.owner), due_date=start + timedelta(days=due),
                completed_at=None
                if completed_after is None
                else _at(start + timedelta(days=completed_after)),
            )  # fmt: skip
        made += 1
    return made


# (account, milestone, who decides, their verdict, the reason): Acme's executive has the
# finance training to sign off; its champion signed off the connected data sources; Globex's
# executive approved its executive review and its champion sent the first board pack back.
DEMO_SIGNOFFS = [
    ("acme", "Data sources connected", "dana@acme.example", "approved", ""),
    ("acme", "Finance team trained", "", "pending", ""),
    ("globex", "Executive business review", "victor@globex.example", "approved", ""),
    ("globex", "First board pack from the portal", "sam@globex.example", "rejected",
     "The store totals do not add up to the regional figures yet."),
]  # fmt: skip


def ensure_demo_signoffs() -> int:
    """Sign-offs of the demo plans' milestones, through the services (the timeline and the
    inbox say so too). Idempotent."""
    from accounts.models import User

    from .models import Milestone, SignOff
    from .services import approve_signoff, reject_signoff, request_signoff

    made = 0
    for slug, title, decider_email, verdict, reason in DEMO_SIGNOFFS:
        milestone = (
            Milestone.objects.filter(plan__account__slug=slug, title=title)
            .select_related("plan__account__owner")
            .first()
        )
        if milestone is None or SignOff.objects.filter(milestone=milestone).exists():
            continue
        owner = milestone.plan.account.owner
        if owner is None:
            continue
        with transaction.atomic():
            signoff = request_signoff(
                milestone,
                approver=None,
                note="Please check it against what we agreed in the plan.",
                acting_user=owner,
            )
            decider = User.objects.filter(email=decider_email).first()
            if verdict == "approved" and decider:
                approve_signoff(signoff, acting_user=decider)
            elif verdict == "rejected" and decider:
                reject_signoff(signoff, reason=reason, acting_user=decider)
        made += 1
    return made

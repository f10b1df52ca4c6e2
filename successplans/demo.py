"""Demo data for success plans: a realistic plan, with KPI history, for two demo accounts."""

from __future__ import annotations

from django.db import transaction

from onboarding.models import Side


@transaction.atomic
def ensure_demo_plans() -> int:
    """A realistic success plan for Acme and Globex, with KPI history. Idempotent."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Account

    from .models import KPI, ActionItem, KPIValue, Milestone, Objective, SuccessPlan
    from .services import create_plan

    made = 0
    today = timezone.localdate()
    for slug, started_days_ago, values in [
        ("acme", 40, ["46", "41", "37", "35"]),
        ("globex", 200, ["62", "70", "78", "81", "83"]),
    ]:
        account = Account.objects.filter(slug=slug).select_related("owner").first()
        if account is None or SuccessPlan.objects.filter(account=account).exists():
            continue
        csm = account.owner
        if csm is None:  # a plan is made by the account's CSM
            continue
        champion = account.memberships.filter(role="champion").select_related("user").first()
        member = account.memberships.filter(role="member").select_related("user").first()
        start = today - timedelta(days=started_days_ago)
        plan = create_plan(
            account,
            name=f"{start.year + 1} success plan",
            starts_on=start,
            ends_on=start + timedelta(days=365),
            template=None,
            acting_user=csm,
        )
        falling = slug == "acme"
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
                recorded_at=timezone.now() - timedelta(days=(len(values) - i) * 9),
            )
        Objective.objects.create(
            plan=plan,
            title="Expand to the second business unit",
            why="Upsell path agreed with the sponsor.",
            internal=True,
            position=1,
        )
        for title, offset, side, status in [
            ("Data sources connected", 20, Side.CUSTOMER, "done"),
            ("Finance team trained", 45, Side.VENDOR, "in_progress" if falling else "done"),
            ("First board pack from the portal", 90, Side.CUSTOMER, "planned"),
            ("Executive business review", 180, Side.VENDOR, "planned"),
        ]:
            Milestone.objects.create(
                plan=plan,
                title=title,
                target_date=start + timedelta(days=offset),
                owner_side=side,
                status=status,
                done_at=timezone.now() if status == "done" else None,
            )
        for title, side, who, due, status in [
            ("Share the current month-end checklist", Side.CUSTOMER, champion, 10, "done"),
            ("Nominate two report owners", Side.CUSTOMER, member, 50, "open"),
            ("Build the board pack template", Side.VENDOR, None, 60, "in_progress"),
            ("Schedule the executive review", Side.VENDOR, None, 150, "open"),
        ]:
            ActionItem.objects.create(
                plan=plan, title=title, side=side, status=status,
                assignee=(who.user if who else csm), due_date=start + timedelta(days=due),
                completed_at=timezone.now() if status == "done" else None,
            )  # fmt: skip
        made += 1
    return made

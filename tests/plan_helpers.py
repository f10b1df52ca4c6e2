"""A success plan with one of everything, for the plan tests; and the day they run on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from accounts.models import Account, Activity, User
from onboarding.models import Side
from successplans.models import (
    KPI,
    ActionItem,
    KPIValue,
    Milestone,
    Objective,
    PlanComment,
    PlanTemplate,
    PlanTemplateItem,
    SuccessPlan,
)
from successplans.services import create_plan

# The plan tests run on a fixed day, never the wall clock: ``freeze_today(time_machine)`` in an
# autouse fixture of the test module.
TODAY = date(2026, 11, 11)


def freeze_today(time_machine: Any, day: date = TODAY) -> date:
    time_machine.move_to(datetime.combine(day, time(9), tzinfo=UTC), tick=False)
    return day


class PlanPeople(Protocol):
    """Who ``make_plan`` needs: the tests' ``World``, or a browser journey's own."""

    account: Account
    csm: User
    champion: User
    member: User


def make_plan(
    world: PlanPeople, *, started_days_ago: int = 30, length_days: int = 120
) -> SuccessPlan:
    today = timezone.localdate()
    plan = create_plan(
        world.account,
        name="FY27 success plan",
        starts_on=today - timedelta(days=started_days_ago),
        ends_on=today - timedelta(days=started_days_ago) + timedelta(days=length_days),
        template=None,
        acting_user=world.csm,
    )
    objective = Objective.objects.create(
        plan=plan,
        title="Faster month-end reporting",
        why="Finance waits two days",
        owner=world.champion,
    )
    KPI.objects.create(
        objective=objective,
        name="Reporting time",
        unit="hours",
        baseline=Decimal(48),
        target=Decimal(4),
    )
    Objective.objects.create(plan=plan, title="Renewal pricing strategy", internal=True, position=1)
    Milestone.objects.create(
        plan=plan,
        title="Data connected",
        target_date=today + timedelta(days=10),
        owner_side=Side.CUSTOMER,
    )
    Milestone.objects.create(
        plan=plan,
        title="Vendor QBR prep",
        target_date=today + timedelta(days=20),
        owner_side=Side.VENDOR,
    )
    ActionItem.objects.create(
        plan=plan,
        title="Share finance workflows",
        side=Side.CUSTOMER,
        assignee=world.member,
        due_date=today + timedelta(days=5),
    )
    ActionItem.objects.create(
        plan=plan,
        title="Build the report template",
        side=Side.VENDOR,
        assignee=world.csm,
        due_date=today + timedelta(days=7),
    )
    ActionItem.objects.create(
        plan=plan, title="Check discount history", side=Side.VENDOR, internal=True
    )
    return plan


def plan_rows() -> tuple[Any, ...]:
    """Everything a plan write could change, to prove that a refusal changed nothing."""
    return (
        list(SuccessPlan.objects.order_by("pk").values()),
        list(Objective.objects.order_by("pk").values()),
        list(KPI.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
        list(PlanTemplate.objects.order_by("pk").values()),
        list(PlanTemplateItem.objects.order_by("pk").values()),
        KPIValue.objects.count(),
        PlanComment.objects.count(),
        Activity.objects.count(),
    )


def plan_page(client: Any, plan: SuccessPlan) -> Any:
    """The plan page as a browser shows it once htmx has loaded its parts: the response of the
    page itself, with every part's first page added to its content."""
    from django.urls import reverse

    response = client.get(plan.get_absolute_url())
    parts = []
    for part in ("objectives", "actions", "milestones", "discussion", "manage"):
        answer = client.get(
            reverse(f"plan_{part}", args=[plan.account.slug, plan.pk]), HTTP_HX_REQUEST="true"
        )
        assert answer.status_code in (200, 403), (part, answer.status_code)
        if answer.status_code == 200:
            parts.append(answer.content)
    response.content = response.content + b"".join(parts)
    return response

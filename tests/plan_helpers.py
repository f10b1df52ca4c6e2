"""A success plan with one of everything, for the plan tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from django.utils import timezone

from accounts.models import Account, User
from onboarding.models import Side
from successplans.models import KPI, ActionItem, Milestone, Objective, SuccessPlan
from successplans.services import create_plan


class PlanPeople(Protocol):
    """Who a plan needs: tests.conftest.World has them, and so does a journey's own world."""

    @property
    def account(self) -> Account: ...
    @property
    def csm(self) -> User: ...
    @property
    def champion(self) -> User: ...
    @property
    def member(self) -> User: ...


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

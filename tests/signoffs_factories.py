"""Sign-offs and the executive's home: factories, and their rows of the access matrix
(tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from onboarding.models import Side
from successplans.models import Milestone, SignOff, SuccessPlan
from tests.conftest import World
from tests.factories import AccountFactory, UserFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
POST_ONLY = [405] * 8
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
# Deciding a sign-off: the account's champions and executives; members and the vendor not.
SIGN_OFF = [L, 302, 302, 403, 404, 403, 404, 403]

SIGNOFFS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "plan_signoff_request": (POST_ONLY, VENDOR_WRITE),
    "signoff_approve": (POST_ONLY, SIGN_OFF),
    "signoff_reject": (POST_ONLY, SIGN_OFF),
    # A sign-off of another account, asked for through this one: not found, nothing changed.
    "signoff_approve#other_account": (POST_ONLY, [L, 404, 404, 403, 404, 403, 404, 403]),
    "signoff_reject#other_account": (POST_ONLY, [L, 404, 404, 403, 404, 403, 404, 403]),
}
# The executive's home's panels (accounts.panels, page "executive-home").
SIGNOFFS_PANELS: dict[str, list[Any]] = {
    "attention": ACCOUNT_READ,
    "objectives": ACCOUNT_READ,
    "health-trend": ACCOUNT_READ,
    "review-preview": [L, 200, 200, 403, 404, 200, 404, 200],
}


class PlanFactory(factory.django.DjangoModelFactory[SuccessPlan]):
    class Meta:
        model = SuccessPlan

    account = factory.SubFactory(AccountFactory)
    name = "Success plan"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))
    created_by = factory.SubFactory(UserFactory)


class MilestoneFactory(factory.django.DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    target_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    owner_side = Side.VENDOR
    status = "in_progress"


class SignOffFactory(factory.django.DjangoModelFactory[SignOff]):
    class Meta:
        model = SignOff

    milestone = factory.SubFactory(MilestoneFactory)
    account = factory.LazyAttribute(lambda o: o.milestone.plan.account)
    requested_by = factory.LazyAttribute(lambda o: o.milestone.plan.created_by)
    note = "Check the delivered reports"


def ask_signoff(plan: SuccessPlan, requested_by: User, **fields: Any) -> SignOff:
    """A pending sign-off of a new shared milestone of ``plan``."""
    milestone = MilestoneFactory.create(plan=plan, **fields)
    return SignOffFactory.create(milestone=milestone, requested_by=requested_by)


def make_signoffs_world(world: World, plan: SuccessPlan) -> dict[str, Any]:
    other_plan = PlanFactory.create(account=world.other_account, created_by=world.csm)
    return {
        "pending": ask_signoff(plan, world.csm, title="Reports delivered"),
        "to_ask": MilestoneFactory.create(plan=plan, title="Dashboards live"),
        "other_account": ask_signoff(other_plan, world.other_csm, title="Their milestone"),
    }


def signoffs_url_args(p: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    milestone: Milestone = p["to_ask"]
    pending, foreign = p["pending"].pk, p["other_account"].pk
    return {
        "plan_signoff_request": ([slug, milestone.plan_id, milestone.pk], {"approver": "", "note": "Please check"}),
        "signoff_approve": ([slug, pending], {}),
        "signoff_reject": ([slug, pending], {"reason": "Two reports are missing"}),
        "signoff_approve#other_account": ([slug, foreign], {}),
        "signoff_reject#other_account": ([slug, foreign], {"reason": "No"}),
    }  # fmt: skip

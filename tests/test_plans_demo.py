"""Bug 15, the plans part: the demo plans read true. Each runs from just after the account's
first contract to its renewal (the contracts of insights/demo.py), and the milestones say what
the other demo data says happened (the Acme business review in reports/demo.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import CustomerRole
from insights.demo import DEMO
from insights.models import ContractKind
from successplans.demo import ensure_demo_plans
from successplans.figures import plan_view
from successplans.models import MilestoneStatus, SuccessPlan
from tests.factories import AccountFactory, CSMFactory, MembershipFactory
from tests.plan_helpers import TODAY, freeze_today


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


@pytest.fixture
def demo_plans(db: None) -> dict[str, SuccessPlan]:
    csm = CSMFactory()
    for slug in ("acme", "globex"):
        account = AccountFactory(slug=slug, name=slug.title(), owner=csm)
        MembershipFactory(account=account, role=CustomerRole.CHAMPION)
        MembershipFactory(account=account, role=CustomerRole.MEMBER)
    assert ensure_demo_plans() == 2
    assert ensure_demo_plans() == 0  # idempotent
    return {p.account.slug: p for p in SuccessPlan.objects.select_related("account")}


def current_contract(slug: str) -> tuple[Any, Any]:
    """The account's contract running today in insights/demo.py (its newest new-business or
    renewal contract): its start and its end."""
    spec = next(s for s in DEMO if s.slug == slug)
    terms = [c for c in spec.contracts if c[1] in (ContractKind.NEW, ContractKind.RENEWAL)]
    _, _, days_ago, months, _ = min(terms, key=lambda c: c[2])
    starts = TODAY - timedelta(days=days_ago)
    return starts, starts + timedelta(days=round(months * 365 / 12))


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_a_plan_runs_from_its_contract_to_the_renewal(
    demo_plans: dict[str, SuccessPlan], slug: str
) -> None:
    plan = demo_plans[slug]
    signed, renewal = current_contract(slug)
    assert signed < plan.starts_on <= signed + timedelta(days=31)
    assert plan.ends_on == renewal
    assert plan.name == f"{renewal.year} success plan"


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_done_is_done_in_the_past_and_within_the_plan(
    demo_plans: dict[str, SuccessPlan], slug: str
) -> None:
    plan = demo_plans[slug]
    for milestone in plan.milestones.all():
        if milestone.status == MilestoneStatus.DONE:
            done = timezone.localtime(milestone.done_at).date()
            assert plan.starts_on <= done <= TODAY, milestone
        else:
            assert milestone.done_at is None, milestone
    for action in plan.actions.all():
        assert (action.status == "done") is (action.completed_at is not None), action
        if action.completed_at:
            assert plan.starts_on <= timezone.localtime(action.completed_at).date() <= TODAY
    for kpi in plan.objectives.get(internal=False).kpis.all():
        history = list(kpi.history.all())
        assert history[-1].value == kpi.current
        assert all(v.recorded_at.date() >= plan.starts_on for v in history)


def test_acmes_plan_says_what_its_business_review_says(
    demo_plans: dict[str, SuccessPlan],
) -> None:
    """reports/demo.py: "The data sources are connected and the first board pack came out of the
    portal"; "The finance team training slipped: two report owners are still to be named"."""
    plan = demo_plans["acme"]
    status = dict(plan.milestones.values_list("title", "status"))
    assert status["Data sources connected"] == MilestoneStatus.DONE
    assert status["First board pack from the portal"] == MilestoneStatus.DONE
    training = plan.milestones.get(title="Finance team trained")
    assert training.status == MilestoneStatus.IN_PROGRESS and training.target_date < TODAY
    assert plan.actions.get(title="Nominate two report owners").status == "open"
    view = plan_view(plan, customer=True)
    assert view.health == "at_risk"  # the slipped training, and nothing else
    assert view.next_milestone is not None
    assert view.next_milestone.title == "Finance team trained"


def test_globex_200_days_in_has_nothing_overdue(demo_plans: dict[str, SuccessPlan]) -> None:
    plan = demo_plans["globex"]
    overdue = [a.title for a in plan.actions.all() if a.is_overdue(TODAY)]
    overdue += [m.title for m in plan.milestones.all() if m.is_overdue(TODAY)]
    assert overdue == []
    assert plan_view(plan, customer=True).health == "on_track"

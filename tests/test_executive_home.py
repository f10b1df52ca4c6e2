"""The executive's home: executives land on it at the account's address; its panels (what
needs their attention, objectives against targets, health when shared, business reviews) load
on their own. The URL x role matrix is in tests/test_access_matrix.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Account
from insights.models import AccountFacts, HealthScore
from onboarding.models import Side
from reports.models import Review
from successplans.models import KPI, ActionItem, Objective, SignOff
from tests.conftest import World, client_for
from tests.onboarding_helpers import start as start_checklist
from tests.queries import assert_same_queries, page_queries
from tests.signoffs_factories import PlanFactory, ask_signoff

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = NOW.date()
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def plan(world: World) -> Any:
    return PlanFactory.create(account=world.account, created_by=world.csm, name="FY27 plan")


def panel(user: Any, name: str, slug: str = "acme") -> str:
    response = client_for(user).get(reverse("account_panel", args=[slug, name]), **HTMX)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def attention_titles(html: str) -> int:
    return html.count('class="attention-item')


# Landing ------------------------------------------------------------------------------------


def test_the_executive_lands_on_their_own_home(world: World) -> None:
    response = client_for(world.executive).get(reverse("account_home", args=["acme"]))
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/executive_home.html"
    html = response.content.decode()
    for name in ("attention", "objectives", "health-trend", "review-preview"):
        assert reverse("account_panel", args=["acme", name]) in html
    # The champion's page's own panels are not on it.
    assert reverse("account_panel", args=["acme", "onboarding"]) not in html


@pytest.mark.parametrize("persona", ["champion", "member", "csm", "admin"])
def test_everyone_else_gets_the_account_page(world: World, persona: str) -> None:
    response = client_for(world.persona(persona)).get(reverse("account_home", args=["acme"]))
    assert response.templates[0].name == "accounts/account_home.html"


def test_the_csm_previews_the_executive_home(world: World, plan: Any) -> None:
    ask_signoff(plan, world.csm, title="Reports delivered")
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=["acme"]), {"role": "executive"})
    response = client.get(reverse("account_home", args=["acme"]))
    assert response.templates[0].name == "accounts/executive_home.html"
    html = client.get(reverse("account_panel", args=["acme", "attention"]), **HTMX).content.decode()
    assert "Reports delivered" in html
    assert "signoff_approve" not in html and "/approve/" not in html  # read-only: no buttons


# Needs your attention -----------------------------------------------------------------------


def test_open_sign_offs_show_with_approve_and_reject(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    html = panel(world.executive, "attention")
    assert "Reports delivered" in html
    assert reverse("signoff_approve", args=["acme", signoff.pk]) in html
    assert reverse("signoff_reject", args=["acme", signoff.pk]) in html


def test_approving_from_the_home_answers_the_item_in_place(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    response = client_for(world.executive).post(
        reverse("signoff_approve", args=["acme", signoff.pk]), {"shown_on": "home"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="signoff-{signoff.pk}"' in html and "Sign-off approved" in html
    signoff.refresh_from_db()
    assert signoff.status == "approved"
    assert "Reports delivered" not in panel(world.executive, "attention")


def test_a_sign_off_naming_someone_else_is_not_on_the_executives_list(
    world: World, plan: Any
) -> None:
    signoff = ask_signoff(plan, world.csm, title="For the champion")
    SignOff.objects.filter(pk=signoff.pk).update(approver=world.champion)
    assert "For the champion" not in panel(world.executive, "attention")
    assert "For the champion" in panel(world.champion, "attention")


def test_at_most_three_things_the_most_pressing_first(world: World, plan: Any) -> None:
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY + timedelta(days=30))
    for n in range(4):
        ask_signoff(plan, world.csm, title=f"Milestone {n}", target_date=TODAY + timedelta(days=n))
    html = panel(world.executive, "attention")
    assert attention_titles(html) == 3
    assert "Renewal on" not in html
    assert html.index("Milestone 0") < html.index("Milestone 1") < html.index("Milestone 2")


def test_overdue_customer_tasks_and_a_near_renewal(world: World, plan: Any) -> None:
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY + timedelta(days=60))
    ActionItem.objects.create(
        plan=plan, title="Late", side=Side.CUSTOMER, due_date=TODAY - timedelta(days=3)
    )
    ActionItem.objects.create(
        plan=plan, title="Vendor's", side=Side.VENDOR, due_date=TODAY - timedelta(days=3)
    )
    ActionItem.objects.create(
        plan=plan,
        title="Internal",
        side=Side.CUSTOMER,
        internal=True,
        due_date=TODAY - timedelta(days=3),
    )
    html = panel(world.executive, "attention")
    assert "1 success plan action overdue" in html
    assert "Renewal on 15 January 2027" in html and "In 60 days" in html


def test_overdue_onboarding_tasks_are_counted(world: World) -> None:
    checklist = start_checklist(world)
    late = checklist.tasks.filter(owner_side=Side.CUSTOMER, internal=False)
    count = late.update(due_date=TODAY - timedelta(days=2))
    html = panel(world.executive, "attention")
    assert f"{count} onboarding task{'s' if count > 1 else ''} overdue" in html


def test_a_renewal_further_than_90_days_is_not_pressing(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY + timedelta(days=91))
    html = panel(world.executive, "attention")
    assert "Renewal" not in html
    assert "Nothing waits for you" in html


def test_the_attention_list_costs_the_same_queries_for_few_and_many(
    world: World, plan: Any
) -> None:
    url = reverse("account_panel", args=["acme", "attention"])
    for n in range(2):
        ask_signoff(plan, world.csm, title=f"Few {n}")
    few = page_queries(client_for(world.executive), url)
    for n in range(40):
        ask_signoff(plan, world.csm, title=f"Many {n}")
        ActionItem.objects.create(
            plan=plan, title=f"Late {n}", side=Side.CUSTOMER, due_date=TODAY - timedelta(days=1)
        )
    assert_same_queries(few, page_queries(client_for(world.executive), url), "attention")


# Objectives, health, reviews ----------------------------------------------------------------


def add_objective(plan: Any, title: str, **kpi: Any) -> Objective:
    objective = Objective.objects.create(plan=plan, title=title)
    KPI.objects.create(objective=objective, **kpi)
    return objective


def test_objectives_show_each_kpi_against_its_target(world: World, plan: Any) -> None:
    add_objective(
        plan,
        "Faster reporting",
        name="Hours to close",
        unit="h",
        baseline=Decimal(48),
        target=Decimal(8),
        current=Decimal(28),
    )
    internal = add_objective(
        plan, "Internal one", name="Secret", baseline=Decimal(0), target=Decimal(1)
    )
    Objective.objects.filter(pk=internal.pk).update(internal=True)
    html = panel(world.executive, "objectives")
    assert "Faster reporting" in html and "Hours to close" in html
    assert 'aria-valuenow="50"' in html  # 48 to 28 of 48 to 8: half way
    assert "Internal one" not in html


def test_objectives_cost_the_same_queries_for_few_and_many(world: World, plan: Any) -> None:
    url = reverse("account_panel", args=["acme", "objectives"])
    add_objective(plan, "One", name="K", baseline=Decimal(0), target=Decimal(10))
    few = page_queries(client_for(world.executive), url)
    for n in range(20):
        add_objective(
            plan, f"More {n}", name="K", baseline=Decimal(0), target=Decimal(10), current=Decimal(n)
        )
    assert_same_queries(few, page_queries(client_for(world.executive), url), "objectives")


def scores(world: World, values: list[int]) -> None:
    for offset, value in enumerate(values):
        HealthScore.objects.create(
            account=world.account,
            day=TODAY - timedelta(days=len(values) - 1 - offset),
            score=value,
            band="healthy" if value >= 70 else "at_risk",
        )


def test_health_shows_only_when_the_csm_shares_it(world: World) -> None:
    scores(world, [55, 60, 72])
    assert panel(world.executive, "health-trend").strip() == ""
    AccountFacts.objects.create(account=world.account, customers_see_health=True)
    html = panel(world.executive, "health-trend")
    assert "Healthy" in html and "Up 17 points" in html
    assert "<polyline" in html


def test_the_latest_published_review_is_previewed(world: World) -> None:
    Review.objects.create(
        account=world.account,
        title="Draft review",
        period_start=TODAY - timedelta(days=30),
        period_end=TODAY,
        created_by=world.csm,
    )
    html = panel(world.executive, "review-preview")
    assert "Draft review" not in html and "Your first business review" in html
    Review.objects.create(
        account=world.account,
        title="Q3 review",
        summary="A strong quarter.",
        period_start=TODAY - timedelta(days=91),
        period_end=TODAY - timedelta(days=1),
        published_at=NOW,
        created_by=world.csm,
    )
    html = panel(world.executive, "review-preview")
    assert "Q3 review" in html and "A strong quarter." in html
    assert "14 February 2027" in html  # the next period, as long as this one

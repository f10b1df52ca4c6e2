"""The executive's home in the browser: the executive lands on it, rejects one milestone with
a reason and signs off another from "Needs your attention"; the CSM finds both on the plan
page. Axe finds nothing serious on the home."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import CustomerRole, User
from successplans.models import Milestone, MilestoneStatus, SignOff
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory
from tests.signoffs_factories import PlanFactory, ask_signoff


@pytest.fixture
def home_world(settings: Any) -> dict[str, Any]:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    executive = MembershipFactory.create(
        account=account, role=CustomerRole.EXECUTIVE, user__name="Eli Executive"
    ).user
    plan = PlanFactory.create(account=account, created_by=csm, name="FY27 success plan")
    return {
        "csm": csm,
        "executive": executive,
        "plan": plan,
        "approve": ask_signoff(plan, csm, title="Reports delivered"),
        "reject": ask_signoff(plan, csm, title="Training done"),
    }


def wait_for_htmx(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def test_an_executive_signs_off_a_milestone_from_their_home_and_the_csm_sees_it(
    page: Page, live_server: LiveServer, home_world: dict[str, Any]
) -> None:
    executive: User = home_world["executive"]
    login(page, live_server, executive.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    attention = page.locator("#panel-attention")
    expect(attention.get_by_role("heading", name="Needs your attention")).to_be_visible()
    expect(attention.get_by_text("Reports delivered", exact=True)).to_be_visible()
    wait_for_htmx(page)
    assert_accessible(page)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "executive-home.png", full_page=True)

    # A rejection says why (without a reason it is refused: tests/test_signoffs.py).
    rejected: SignOff = home_world["reject"]
    item = page.locator(f"#signoff-{rejected.pk}")
    item.get_by_label("Why you reject “Training done”").fill("Half the team missed it")
    item.get_by_role("button", name="Reject “Training done”").click()
    expect(page.locator(f"#signoff-{rejected.pk}")).to_contain_text("Sign-off rejected")

    approved: SignOff = home_world["approve"]
    page.locator(f"#signoff-{approved.pk}").get_by_role(
        "button", name="Approve “Reports delivered”"
    ).click()
    expect(page.locator(f"#signoff-{approved.pk}")).to_contain_text("Sign-off approved")
    assert Milestone.objects.get(pk=approved.milestone_id).status == MilestoneStatus.DONE
    assert Milestone.objects.get(pk=rejected.milestone_id).status == MilestoneStatus.IN_PROGRESS

    # The CSM opens the plan: who approved, and why the other was rejected.
    page.context.clear_cookies()
    csm: User = home_world["csm"]
    login(page, live_server, csm.email, PASSWORD)
    page.goto(f"{live_server.url}{home_world['plan'].get_absolute_url()}")
    reached = page.locator(f"#milestone-{approved.milestone_id}")
    expect(reached).to_contain_text("Sign-off approved")
    expect(reached).to_contain_text("by Eli Executive")
    sent_back = page.locator(f"#milestone-{rejected.milestone_id}")
    expect(sent_back).to_contain_text("Half the team missed it")
    expect(sent_back.get_by_text("Ask the customer to sign off")).to_be_visible()

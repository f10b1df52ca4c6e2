"""A mutual success plan in the browser: the champion updates a KPI and completes their action
item in place; the CSM finds both changes in the account's activity log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account, Activity, CustomerRole, User
from onboarding.models import Side
from successplans.figures import kpi_progress
from successplans.models import KPI, ActionItem, ActionStatus, KPIValue, SuccessPlan
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory
from tests.plan_helpers import make_plan

# From tests.plan_helpers.make_plan: a KPI that should fall (48 hours down to 4), and the
# plan's one shared customer-side action item (handed to the champion below).
KPI_NAME = "Reporting time"
ACTION = "Share finance workflows"
# The KPI's value before the journey (18% of the way from 48 to 4) and the one the champion
# enters (half way).
BEFORE_VALUE = Decimal(40)
NEW_VALUE = "26"


@dataclass
class PlanWorld:
    """What tests.plan_helpers.make_plan reads (account, csm, champion, member), and the plan."""

    account: Account
    csm: User
    champion: User
    member: User
    plan: SuccessPlan | None = None

    @property
    def kpi(self) -> KPI:
        return KPI.objects.get(objective__plan=self.plan, name=KPI_NAME)

    @property
    def action(self) -> ActionItem:
        return ActionItem.objects.get(plan=self.plan, title=ACTION)

    @property
    def plan_path(self) -> str:
        assert self.plan is not None
        return self.plan.get_absolute_url()


@pytest.fixture
def plan_world(settings: Any) -> PlanWorld:
    """Acme, owned by a CSM, with a champion, a member and a success plan (30 days in)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    champion = MembershipFactory.create(
        account=account, role=CustomerRole.CHAMPION, user__name="Dana Champion"
    ).user
    member = MembershipFactory.create(
        account=account, role=CustomerRole.MEMBER, user__name="Mia Member"
    ).user
    world = PlanWorld(account=account, csm=csm, champion=champion, member=member)
    world.plan = make_plan(world)
    # A first reading, a week old, so the KPI has a bar and a trend before the journey; and the
    # customer-side action item is the champion's own. Written directly: not the journey's
    # changes, so not in the activity log.
    KPI.objects.filter(pk=world.kpi.pk).update(current=BEFORE_VALUE)
    KPIValue.objects.create(
        kpi=world.kpi, value=BEFORE_VALUE, recorded_at=timezone.now() - timedelta(days=7)
    )
    ActionItem.objects.filter(pk=world.action.pk).update(assignee=champion)
    action = world.action
    assert action.side == Side.CUSTOMER and not action.internal
    assert action.status == ActionStatus.OPEN
    assert not Activity.objects.filter(actor=champion).exists()
    return world


def screenshot(page: Page, name: str) -> None:
    """The whole page, taken from the top: scrolled down, the sticky header would be drawn
    across the middle of it."""
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def value_now(bar: Locator) -> int:
    value = bar.get_attribute("aria-valuenow")
    assert value is not None and value.isdigit(), f"aria-valuenow is {value!r}"
    return int(value)


def percent_of_the_way(value: Decimal, kpi: KPI) -> int:
    """What the page shows for ``value``: the share of the way from baseline to target, by the
    one definition (successplans.figures.kpi_progress)."""
    progress = kpi_progress(kpi.baseline, kpi.target, value)
    assert progress is not None
    return progress


def htmx_post(page: Page, path_end: str, click: Locator) -> None:
    """Click and wait for htmx's POST to ``...path_end`` and its swap to finish."""
    with page.expect_response(
        lambda r: (
            r.request.method == "POST"
            and r.url.endswith(path_end)
            and r.request.headers.get("hx-request") == "true"
        )
    ) as posted:
        click.click()
    assert posted.value.status == 200, f"POST {posted.value.url} answered {posted.value.status}"
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def open_plan(page: Page, live_server: LiveServer, world: PlanWorld, email: str) -> None:
    login(page, live_server, email, PASSWORD)
    page.goto(f"{live_server.url}{world.plan_path}")
    expect(page).to_have_url(f"{live_server.url}{world.plan_path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("FY27 success plan")


def test_champion_updates_a_kpi_and_completes_an_action_and_the_csm_sees_both(
    page: Page, live_server: LiveServer, plan_world: PlanWorld
) -> None:
    world = plan_world
    kpi, action = world.kpi, world.action

    # The champion opens the shared plan.
    open_plan(page, live_server, world, world.champion.email)
    # Customers never see the vendor's internal items.
    expect(page.get_by_text("Renewal pricing strategy")).to_have_count(0)
    expect(page.get_by_text("Check discount history")).to_have_count(0)
    expect(page.get_by_role("heading", name="Faster month-end reporting")).to_be_visible()
    assert_accessible(page)

    objective = page.locator(f"#objective-{kpi.objective_id}")
    kpi_row = objective.locator(f"#kpi-{kpi.pk}")
    bar = kpi_row.get_by_role("progressbar", name=f"{KPI_NAME} progress")
    before = value_now(bar)
    assert before == percent_of_the_way(BEFORE_VALUE, kpi) == 18
    expect(kpi_row.locator(".kpi-figures")).to_contain_text(re.compile(r"^\s*40 of 4 hours"))
    url = page.url
    navigations = page.evaluate("performance.getEntriesByType('navigation').length")
    page.evaluate("window.notReloaded = true")

    # The KPI: a new current value, saved in place.
    kpi_row.get_by_label(f"Update {KPI_NAME}", exact=True).fill(NEW_VALUE)
    htmx_post(page, "/value/", kpi_row.get_by_role("button", name="Save", exact=True))
    expected = percent_of_the_way(Decimal(NEW_VALUE), kpi)
    assert expected == 50 > before
    expect(bar).to_have_attribute("aria-valuenow", str(expected))
    expect(kpi_row.locator(".kpi-pct")).to_have_text(f"{expected}%")
    expect(kpi_row.locator(".kpi-figures")).to_contain_text(
        re.compile(rf"^\s*{NEW_VALUE} of 4 hours")
    )
    expect(kpi_row.get_by_role("img", name=f"Trend of {KPI_NAME}: 40, {NEW_VALUE}")).to_be_visible()
    expect(kpi_row.get_by_label(f"Update {KPI_NAME}", exact=True)).to_have_value(NEW_VALUE)
    assert world.kpi.current == Decimal(NEW_VALUE)

    # The action item: done, in place.
    row = page.locator(f"#action-{action.pk}")
    expect(row).not_to_have_class(re.compile(r"\btask-done\b"))
    expect(row.locator(".badge-action-open")).to_have_text("Open")
    row.get_by_label(f"Status of {ACTION}", exact=True).select_option(label="Done")
    htmx_post(page, "/status/", row.get_by_role("button", name="Set", exact=True))
    expect(row).to_have_class(re.compile(r"\btask-done\b"))
    expect(row.locator(".badge-action-done")).to_have_text("Done")
    expect(row.get_by_label(f"Status of {ACTION}", exact=True)).to_have_value("done")
    expect(row).to_contain_text(world.champion.name)
    done = world.action
    assert done.status == ActionStatus.DONE and done.completed_at is not None

    # Both swaps happened without the page reloading.
    assert page.evaluate("window.notReloaded") is True
    assert page.url == url
    assert page.evaluate("performance.getEntriesByType('navigation').length") == navigations
    assert_accessible(page)
    screenshot(page, "plan_champion")
    page.context.clear_cookies()

    # The CSM sees the plan as the vendor does (internal items included)...
    open_plan(page, live_server, world, world.csm.email)
    expect(page.get_by_role("heading", name="Renewal pricing strategy")).to_be_visible()
    expect(
        page.locator(f"#kpi-{kpi.pk}").get_by_role("progressbar", name=f"{KPI_NAME} progress")
    ).to_have_attribute("aria-valuenow", str(expected))
    expect(page.locator(f"#action-{action.pk} .badge-action-done")).to_have_text("Done")
    assert_accessible(page)
    screenshot(page, "plan_csm")

    # The print view, to hand to the customer: internal items left out unless asked for, then
    # each marked.
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("FY27 success plan")
    expect(page.get_by_text("Renewal pricing strategy")).to_have_count(0)
    expect(page.get_by_label("Include internal items")).not_to_be_checked()
    assert_accessible(page)
    screenshot(page, "plan_print")
    page.get_by_label("Include internal items").check()
    page.get_by_role("button", name="Update the print view").click()
    expect(page).to_have_url(re.compile(r"/print/\?internal=1$"))
    internal = page.get_by_role("heading", name="Renewal pricing strategy")
    expect(internal).to_be_visible()
    expect(internal.locator(".internal-mark")).to_have_text("Internal")
    expect(page.get_by_text("Includes internal items: not for the customer.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan_print_internal")

    # ...and both of the champion's changes in the account's activity log, before and after.
    page.goto(f"{live_server.url}/a/{world.account.slug}/activity/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    entries = page.locator(".timeline-item").filter(
        has=page.locator("strong", has_text=world.champion.name)
    )
    kpi_entry = entries.filter(has_text="edited a KPI")
    expect(kpi_entry).to_have_count(1)
    expect(kpi_entry.locator(".target")).to_have_text(KPI_NAME)
    expect(kpi_entry.locator(".changes")).to_contain_text(
        re.compile(rf"current value:\s*40\.00\s*→\s*{NEW_VALUE}\.00")
    )
    action_entry = entries.filter(has_text="edited an action item")
    expect(action_entry).to_have_count(1)
    expect(action_entry.locator(".target")).to_have_text(ACTION)
    expect(action_entry.locator(".changes")).to_contain_text(
        re.compile(r"status:\s*Open\s*→\s*Done")
    )
    assert_accessible(page)
    screenshot(page, "plan_csm_activity")

"""Onboarding in the browser: the champion ticks a task and the progress moves in place; the
CSM's onboarding portfolio shows the change, with the same percentage the champion reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import Account, CustomerRole, User
from onboarding.figures import summary
from onboarding.models import Checklist, Task
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory
from tests.onboarding_helpers import start

# A customer-side, required task that the template assigns to the champion.
TASK = "Share your goals"
# One label; aria-pressed says whether it is done.
DONE_BUTTON = f"Done: {TASK}"
UNDO_BUTTON = DONE_BUTTON


@dataclass
class Onboarding:
    account: Account
    csm: User
    champion: User
    checklist: Checklist
    task: Task


@dataclass
class _World:
    """What tests.onboarding_helpers.start reads from the tests' ``world``."""

    account: Account
    csm: User


@pytest.fixture
def onboarding(settings: Any) -> Onboarding:
    """Acme, owned by a CSM, with a champion and a started checklist (kickoff five days ago)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    champion = MembershipFactory.create(
        account=account, role=CustomerRole.CHAMPION, user__name="Dana Champion"
    ).user
    AccountFactory.create(name="Zenith", slug="zenith", owner=csm)  # no onboarding: not listed
    checklist = start(_World(account=account, csm=csm))
    task = checklist.tasks.get(title=TASK)
    assert task.owner_side == "customer" and task.required and task.assignee == champion
    return Onboarding(account, csm, champion, checklist, task)


def screenshot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def overall_bar(page: Page) -> Locator:
    return page.locator("#onboarding-overall").get_by_role("progressbar")


def value_now(bar: Locator) -> int:
    value = bar.get_attribute("aria-valuenow")
    assert value is not None and value.isdigit(), f"aria-valuenow is {value!r}"
    return int(value)


def tick(page: Page, button_name: str, done: bool) -> None:
    """Click a tick and wait for htmx's POST (and its swap) to finish."""
    with page.expect_response(
        lambda r: (
            r.request.method == "POST"
            and r.url.endswith("/done/")
            and r.request.headers.get("hx-request") == "true"
        )
    ) as posted:
        page.get_by_role("button", name=button_name, exact=True).click()
    assert posted.value.status == 200, f"POST {posted.value.url} answered {posted.value.status}"
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    button = page.get_by_role("button", name=UNDO_BUTTON if done else DONE_BUTTON)
    expect(button).to_have_attribute("aria-pressed", "true" if done else "false")
    # Keyboard users stay where they were: the new row's button has the focus.
    expect(button).to_be_focused()


def onboarding_percent(checklist: Checklist) -> int:
    """The one onboarding figure (required, shared tasks done), which the champion's page and
    the CSM's portfolio both print."""
    percent = summary(checklist).progress.percent
    assert percent is not None
    return percent


def open_checklist_as_champion(page: Page, live_server: Any, onboarding: Onboarding) -> None:
    login(page, live_server, onboarding.champion.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboarding").click()
    expect(page).to_have_url(f"{live_server.url}/a/{onboarding.account.slug}/onboarding/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onboarding")


def test_champion_ticks_a_task_and_the_progress_moves_without_a_reload(
    page: Page, live_server: Any, onboarding: Onboarding
) -> None:
    open_checklist_as_champion(page, live_server, onboarding)
    assert_accessible(page)

    bar = overall_bar(page)
    before = value_now(bar)
    assert before == onboarding_percent(onboarding.checklist) == 0
    phase_bar = page.locator(f"#phase-progress-{onboarding.task.phase_id}").get_by_role(
        "progressbar"
    )
    phase_before = value_now(phase_bar)
    url = page.url
    navigations = page.evaluate("performance.getEntriesByType('navigation').length")
    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#task-{onboarding.task.pk}")
    expect(row).not_to_have_class(re.compile(r"\btask-done\b"))
    expect(row.get_by_role("button", name=DONE_BUTTON, exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )

    tick(page, DONE_BUTTON, done=True)

    # The row was swapped and the bars updated out-of-band: the page itself never reloaded.
    expect(row).to_have_class(re.compile(r"\btask-done\b"))
    expect(row).to_contain_text(f"Done by {onboarding.champion.name}")
    expected = onboarding_percent(onboarding.checklist)
    expect(bar).to_have_attribute("aria-valuenow", str(expected))
    assert expected > before
    expect(page.locator("#onboarding-overall .stat-value")).to_have_text(f"{expected}%")
    assert value_now(phase_bar) > phase_before
    assert page.evaluate("window.notReloaded") is True
    assert page.url == url
    assert page.evaluate("performance.getEntriesByType('navigation').length") == navigations
    assert onboarding.checklist.tasks.get(pk=onboarding.task.pk).completed_by == onboarding.champion
    assert_accessible(page)
    screenshot(page, "onboarding_champion_checklist_ticked")

    # Undo: the tick goes back, and so do the bars.
    tick(page, UNDO_BUTTON, done=False)
    expect(row).not_to_have_class(re.compile(r"\btask-done\b"))
    expect(bar).to_have_attribute("aria-valuenow", str(before))
    expect(phase_bar).to_have_attribute("aria-valuenow", str(phase_before))
    assert onboarding_percent(onboarding.checklist) == before
    assert page.evaluate("window.notReloaded") is True
    assert page.url == url
    assert_accessible(page)


def test_csm_onboarding_portfolio_shows_the_champions_tick(
    page: Page, live_server: Any, onboarding: Onboarding
) -> None:
    def acme_row() -> Locator:
        table = page.get_by_role("table")
        expect(table.get_by_role("link", name="Zenith", exact=True)).to_have_count(0)
        return table.get_by_role("row").filter(
            has=page.get_by_role("link", name=onboarding.account.name, exact=True)
        )

    def open_portfolio_as_csm() -> Locator:
        login(page, live_server, onboarding.csm.email, PASSWORD)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Onboardings").click()
        expect(page).to_have_url(f"{live_server.url}/onboarding/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Onboardings")
        row = acme_row()
        expect(row).to_have_count(1)
        return row

    # The CSM's figure before the champion does anything.
    before = onboarding_percent(onboarding.checklist)
    row = open_portfolio_as_csm()
    done_bar = row.get_by_role("progressbar", name=f"{onboarding.account.name} progress")
    expect(done_bar).to_have_attribute("aria-valuenow", str(before))
    page.context.clear_cookies()

    # The champion ticks their task.
    open_checklist_as_champion(page, live_server, onboarding)
    tick(page, DONE_BUTTON, done=True)
    screenshot(page, "onboarding_champion_checklist")
    page.context.clear_cookies()

    # The CSM's portfolio counts it.
    after = onboarding_percent(onboarding.checklist)
    assert after > before
    row = open_portfolio_as_csm()
    expect(done_bar).to_have_attribute("aria-valuenow", str(after))
    expect(row.get_by_role("cell").nth(2)).to_have_text(f"{after}%")
    assert_accessible(page)
    screenshot(page, "onboarding_csm_portfolio")

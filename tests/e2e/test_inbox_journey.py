"""The inbox in the browser: the champion ticks a task, and the owner CSM's bell shows it; the
inbox page (axe-clean) marks it read in place, and the bell's count follows without a reload."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import CustomerRole, Notification
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.e2e.test_onboarding_journey import DONE_BUTTON, Onboarding, tick
from tests.e2e.test_onboarding_journey import onboarding as onboarding  # the fixture
from tests.factories import PASSWORD
from tests.inbox_helpers import NotificationFactory

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=860)


def shoot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def bell(page: Page) -> Any:
    return page.get_by_role("link", name=re.compile(r"^Inbox, \d+ unread$"))


def test_the_champions_tick_rings_the_csms_bell_and_reading_it_clears_the_count(
    page: Page, live_server: Any, onboarding: Onboarding
) -> None:
    account = onboarding.account
    # Something older in the CSM's inbox already, read; and a survey answer to follow up.
    NotificationFactory.create(
        user=onboarding.csm, account=account, title="Acme: a survey answer to follow up (NPS 4)",
        kind="account", url=f"/a/{account.slug}/",
    )  # fmt: skip

    # The champion ticks their task in the checklist.
    login(page, live_server, onboarding.champion.email, PASSWORD)
    expect(bell(page)).to_have_accessible_name("Inbox, 0 unread")
    page.goto(f"{live_server.url}/a/{account.slug}/onboarding/")
    tick(page, DONE_BUTTON, done=True)
    page.context.clear_cookies()

    # The CSM's bell shows it, on whatever page they are.
    login(page, live_server, onboarding.csm.email, PASSWORD)
    expect(bell(page)).to_have_accessible_name("Inbox, 2 unread")
    bell(page).click()
    expect(page).to_have_url(f"{live_server.url}/inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = page.locator(".inbox-item").first
    title = f"{onboarding.champion.display_name} completed “Share your goals”"
    expect(item).to_contain_text(title)
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    shoot(page, "inbox_csm_desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "inbox_csm_phone")
    page.set_viewport_size(DESKTOP)

    # Mark it read in place: the list and the bell change, the page does not reload.
    page.evaluate("window.notReloaded = true")
    with page.expect_response(lambda r: r.request.method == "POST" and "/read/" in r.url):
        item.get_by_role("button", name=re.compile(rf"^Mark read\W+{re.escape(title)}$")).click()
    expect(bell(page)).to_have_accessible_name("Inbox, 1 unread")
    expect(page.get_by_role("heading", name="1 unread")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert Notification.objects.get(title=title).read_at is not None

    # Mark all read: none left, the bell says so.
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/read/")):
        page.get_by_role("button", name="Mark all read").click()
    expect(bell(page)).to_have_accessible_name("Inbox, 0 unread")
    expect(page.get_by_role("heading", name="All read")).to_be_visible()
    assert_accessible(page)

    # Opening an item goes to the thing it is about.
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(rf"/a/{account.slug}/onboarding/tasks/\d+/$"))


def test_the_inbox_as_a_champion_on_a_phone(
    page: Page, live_server: Any, onboarding: Onboarding
) -> None:
    champion, account = onboarding.champion, onboarding.account
    for kind, title in [
        ("surveys", "Reminder: one question from Northwind Software (NPS)"),
        ("plans", "Casey CSM mentioned you on the plan “FY27 success plan”"),
        ("reports", "A business review of Acme is ready: Q3 2026 business review"),
    ]:
        NotificationFactory.create(user=champion, account=account, kind=kind, title=title)
    assert champion.memberships.get().role == CustomerRole.CHAMPION
    page.set_viewport_size(PHONE)
    login(page, live_server, champion.email, PASSWORD)
    expect(bell(page)).to_have_accessible_name("Inbox, 3 unread")
    bell(page).click()
    expect(page.locator(".inbox-item")).to_have_count(3)
    assert_accessible(page)
    shoot(page, "inbox_champion_phone")
    page.set_viewport_size(DESKTOP)
    shoot(page, "inbox_champion_desktop")
    page.get_by_role("navigation", name="Kinds").get_by_role("link", name="Plans").click()
    expect(page.locator(".inbox-item")).to_have_count(1)
    assert_accessible(page)

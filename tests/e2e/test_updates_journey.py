"""Product updates in the browser: a CSM writes and publishes an update; the champion sees
the badge on "Updates", opens it, and the badge clears; they find it useful, and the CSM's
reach page counts the read. axe checks the editor, the feed, the update and the reach page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import CustomerRole
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory
from updates.models import Status, Update, UpdateReaction, UpdateRead

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=860)
TITLE = "Scheduled exports"


def shoot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def updates_link(page: Page) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Updates")
    )


@pytest.fixture
def people(settings: Any) -> dict[str, Any]:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    champion = MembershipFactory.create(
        account=account, role=CustomerRole.CHAMPION, user__name="Dana Champion"
    ).user
    return {"csm": csm, "account": account, "champion": champion}


def test_a_csm_publishes_an_update_and_the_champions_badge_clears_when_they_open_it(
    page: Page, live_server: Any, people: dict[str, Any]
) -> None:
    csm, champion = people["csm"], people["champion"]
    page.set_viewport_size(DESKTOP)

    # The CSM writes it and publishes it to every account.
    login(page, live_server, csm.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Product updates")
    page.get_by_role("link", name="New update").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Category").select_option("feature")
    page.get_by_label("Body").fill("Export any report **every morning**, as CSV or PDF.")
    assert_accessible(page)
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text(f"“{TITLE}” is published.")).to_be_visible()
    update = Update.objects.get(title=TITLE)
    assert update.status == Status.PUBLISHED
    page.context.clear_cookies()

    # The champion: a badge on "Updates" wherever they are.
    login(page, live_server, champion.email, PASSWORD)
    expect(updates_link(page)).to_have_accessible_name("Updates 1 unread")
    updates_link(page).click()
    expect(page.get_by_role("heading", name="1 unread")).to_be_visible()
    assert_accessible(page)
    shoot(page, "updates_feed_desktop")
    page.get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".update-body strong")).to_have_text("every morning")
    expect(updates_link(page)).to_have_accessible_name("Updates")
    assert UpdateRead.objects.filter(update=update, user=champion).exists()

    # "Useful", in place.
    page.get_by_role("button", name="Useful").click()
    expect(page.get_by_role("button", name="Useful ✓")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("1 person finds this useful.")).to_be_visible()
    assert UpdateReaction.objects.filter(update=update, user=champion).exists()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    shoot(page, "updates_update_phone")
    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()

    # The CSM's reach page counts the read.
    login(page, live_server, csm.email, PASSWORD)
    page.goto(f"{live_server.url}/updates/{update.pk}/")
    readers = page.get_by_role("table", name=re.compile("People who read the update"))
    expect(readers).to_contain_text("Dana Champion")
    assert_accessible(page)
    shoot(page, "updates_reach_desktop")

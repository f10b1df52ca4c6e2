"""A CSM works through their portfolio: finds an account, invites its people, previews it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account
from tests.e2e.helpers import assert_accessible, expect_pending_invitation, login, send_invitation
from tests.factories import PASSWORD, AccountFactory, AdminFactory, CSMFactory


@pytest.fixture
def csm(settings: Any) -> tuple[str, Account]:
    """A CSM owning Acme and Zenith; Bluth belongs to another CSM."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    casey = CSMFactory.create(name="Casey CSM")
    acme = AccountFactory.create(name="Acme", slug="acme", owner=casey, email_domains="")
    AccountFactory.create(name="Zenith", slug="zenith", owner=casey)
    AccountFactory.create(name="Bluth", slug="bluth", owner=CSMFactory.create(name="Olive Other"))
    return casey.email, acme


def test_csm_finds_an_account_and_invites_its_champion(
    page: Page, live_server: LiveServer, csm: tuple[str, Account]
) -> None:
    email, acme = csm
    login(page, live_server, email, PASSWORD)
    # The CSM's day starts on Today; the portfolio is one click away in the navigation.
    expect(page).to_have_url(f"{live_server.url}/today/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    page.locator("nav.mainnav").get_by_role("link", name="My portfolio").click()
    expect(page).to_have_url(f"{live_server.url}/portfolio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")

    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Acme", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="Zenith", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="Bluth", exact=True)).to_have_count(0)
    assert_accessible(page)

    # The search box filters in place: htmx swaps #account-table, the page does not reload.
    page.evaluate("window.notReloaded = true")
    search = page.get_by_role("search", name="Filter accounts").get_by_label("Search")
    with page.expect_response(
        lambda r: "/portfolio/?" in r.url and r.request.headers.get("hx-request") == "true"
    ) as swapped:
        search.fill("acm")
    assert swapped.value.status == 200
    expect(table.get_by_role("link", name="Zenith", exact=True)).to_have_count(0)
    expect(table.get_by_role("link", name="Acme", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/portfolio/\?.*q=acm"))
    assert page.evaluate("window.notReloaded") is True
    # Leaving the box fires "change", which filters once more: let htmx finish first.
    search.blur()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )

    table.get_by_role("link", name="Acme", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/a/{acme.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    page.get_by_role("navigation", name=acme.name).get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{live_server.url}/a/{acme.slug}/people/")
    assert_accessible(page)

    champion = "champion@acme.example"
    send_invitation(page, champion, "Champion")
    expect_pending_invitation(page, champion, "Champion")
    assert_accessible(page)


def test_csm_previews_the_account_as_its_champion(
    page: Page, live_server: LiveServer, csm: tuple[str, Account]
) -> None:
    email, acme = csm
    login(page, live_server, email, PASSWORD)
    page.goto(f"/a/{acme.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    preview = page.get_by_role("region", name="See the customer's view")
    preview.get_by_label("View as").select_option(label="Champion")
    preview.get_by_role("button", name="Open preview").click()

    banner = page.get_by_role("status").filter(has_text="You are viewing")
    expect(banner).to_contain_text("You are viewing Acme's portal as a champion would see it")
    expect(page).to_have_url(f"{live_server.url}/a/{acme.slug}/")
    expect(page.get_by_role("region", name="See the customer's view")).to_have_count(0)

    banner.get_by_role("button", name="Leave preview").click()
    expect(page.get_by_role("status").filter(has_text="You are viewing")).to_have_count(0)
    expect(page.get_by_role("region", name="See the customer's view")).to_be_visible()


def test_cs_admin_reaches_the_health_score_parts_through_settings(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    admin = AdminFactory.create(name="Ada Admin")
    login(page, live_server, admin.email, PASSWORD)
    main = page.get_by_role("navigation", name="Main")
    for item in ("API keys", "Team", "Wrapped"):  # all in Settings now
        expect(main.get_by_role("link", name=item, exact=True)).to_have_count(0)

    main.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/console/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    for link in (
        "Team",
        "Health score parts",
        "Checklist templates",
        "Plan templates",
        "Wrapped batches",
        "API keys",
    ):
        expect(page.get_by_role("main").get_by_role("link", name=link, exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Health score parts").click()
    expect(page).to_have_url(f"{live_server.url}/console/health/")
    expect(main.get_by_role("link", name="Settings", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

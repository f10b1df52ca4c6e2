"""A customer's champion logs in, lands on their account and invites a colleague."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account, CustomerRole
from tests.e2e.helpers import (
    SUBMIT_NAME,
    assert_accessible,
    expect_pending_invitation,
    login,
    send_invitation,
)
from tests.factories import PASSWORD, AccountFactory, MembershipFactory


def make_champion() -> tuple[Account, str]:
    account = AccountFactory.create(name="Acme", slug="acme", email_domains="")
    membership = MembershipFactory.create(account=account, role=CustomerRole.CHAMPION)
    return account, membership.user.email


def test_champion_logs_in_and_lands_on_their_account(page: Page, live_server: LiveServer) -> None:
    account, email = make_champion()

    page.goto("/auth/login/")
    expect(page.get_by_role("button", name=SUBMIT_NAME)).to_be_visible()
    assert_accessible(page)

    login(page, live_server, email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(account.name)
    assert_accessible(page)


def test_champion_invites_a_colleague_as_member(page: Page, live_server: LiveServer) -> None:
    account, email = make_champion()
    colleague = "colleague@customer.example"

    login(page, live_server, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")

    send_invitation(page, colleague, "Member")
    expect_pending_invitation(page, colleague, "Member")


def test_champion_keeps_their_accounts_navigation_on_every_page_and_switches_account(
    page: Page, live_server: LiveServer
) -> None:
    account, email = make_champion()
    other = AccountFactory.create(name="Bluth", slug="bluth")
    champion = account.memberships.get().user
    MembershipFactory.create(account=other, role=CustomerRole.MEMBER, user=champion)
    login(page, live_server, email, PASSWORD)
    page.goto(f"/a/{account.slug}/")
    main = page.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Reviews")).to_be_visible()

    # The user menu's name starts with what it shows: the person's name.
    menu = page.locator("details.user-menu > summary")
    expect(menu).to_have_accessible_name(f"{champion.display_name} (your settings)")
    menu.click()
    page.locator("details.user-menu").get_by_role(
        "link", name="Two-factor authentication", exact=True
    ).click()
    expect(page).to_have_url(f"{live_server.url}/auth/2fa/")
    expect(main.get_by_role("link", name="Reviews")).to_be_visible()
    expect(main.get_by_role("link", name="Overview")).to_have_attribute(
        "href", f"/a/{account.slug}/"
    )
    assert_accessible(page)

    switcher = page.locator("details.account-switcher > summary")
    expect(switcher).to_have_accessible_name(f"{account.name} (switch account)")
    switcher.click()
    page.get_by_role("link", name="Bluth").click()
    expect(page).to_have_url(f"{live_server.url}/a/{other.slug}/")
    # A member at Bluth: its navigation, without Reviews, on every page from now on.
    page.goto("/settings/profile/")
    expect(main.get_by_role("link", name="Overview")).to_have_attribute("href", f"/a/{other.slug}/")
    expect(main.get_by_role("link", name="Reviews")).to_have_count(0)
    assert_accessible(page)

"""A customer's champion logs in, lands on their account and invites a colleague."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

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
    account = AccountFactory(name="Acme", slug="acme", email_domains="")
    membership = MembershipFactory(account=account, role=CustomerRole.CHAMPION)
    return account, membership.user.email


def test_champion_logs_in_and_lands_on_their_account(page: Page, live_server: Any) -> None:
    account, email = make_champion()

    page.goto("/auth/login/")
    expect(page.get_by_role("button", name=SUBMIT_NAME)).to_be_visible()
    assert_accessible(page)

    login(page, live_server, email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(account.name)
    assert_accessible(page)


def test_champion_invites_a_colleague_as_member(page: Page, live_server: Any) -> None:
    account, email = make_champion()
    colleague = "colleague@customer.example"

    login(page, live_server, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")

    send_invitation(page, colleague, "Member")
    expect_pending_invitation(page, colleague, "Member")

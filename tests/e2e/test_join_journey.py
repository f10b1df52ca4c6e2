"""A person asks to join their company's portal; the champion lets them in."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import CustomerRole, Membership, SelfJoin
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, MembershipFactory
from tests.join_helpers import link_in

INVITATION_PATH = re.compile(r"/invitations/[^/\s]+/")


def test_a_colleague_asks_to_join_and_the_champion_approves(
    page: Page, live_server: LiveServer
) -> None:
    account = AccountFactory.create(
        name="Acme", slug="acme", email_domains="acme.example", self_join=SelfJoin.APPROVAL
    )
    champion = MembershipFactory.create(account=account, role=CustomerRole.CHAMPION).user

    page.goto(f"{live_server.url}/auth/login/")
    page.get_by_role("link", name="Ask to join your company's portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask to join your company's portal")
    assert_accessible(page)
    page.get_by_label("Your work e-mail address").fill("nora@acme.example")
    page.get_by_label("Your name").fill("Nora Newcomer")
    page.get_by_label("A note for the people who let you in").fill("Analytics team")
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text("we have e-mailed you a link")
    assert_accessible(page)

    page.goto(live_server.url + link_in(str(mail.outbox[-1].body)))
    assert_accessible(page)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request is with Acme")

    login(page, live_server, champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/people/")
    requests = page.get_by_role("region", name=re.compile("Asking to join"))
    expect(requests).to_contain_text("nora@acme.example")
    assert_accessible(page)
    requests.get_by_label("Role for Nora Newcomer").select_option(label="Member")
    requests.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved")

    found = INVITATION_PATH.search(str(mail.outbox[-1].body))
    assert found and mail.outbox[-1].to == ["nora@acme.example"]
    page.context.clear_cookies()
    page.goto(live_server.url + found.group(0))
    page.get_by_label("Your name").fill("Nora Newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-new-passphrase")
    page.get_by_label("Password again").fill("a-long-new-passphrase")
    page.get_by_role("button", name="Create my login and join").click()
    expect(page).to_have_url(f"{live_server.url}/a/acme/")
    assert Membership.objects.get(user__email="nora@acme.example", account=account).role == (
        CustomerRole.MEMBER
    )

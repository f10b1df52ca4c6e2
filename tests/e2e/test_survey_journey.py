"""Surveys in the browser: a champion answers the NPS prompt on their account page in place;
a detractor's answer opens a follow-up that the account's CSM sees; axe finds nothing serious."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account, CustomerRole, User
from surveys.models import Delivery, FollowUp, Response
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory
from tests.survey_helpers import deliver, make_campaign, make_survey


@dataclass
class Asked:
    account: Account
    csm: User
    champion: User
    delivery: Delivery


@pytest.fixture
def asked(settings: Any) -> Asked:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    champion = MembershipFactory.create(
        account=account, role=CustomerRole.CHAMPION, user__name="Dana Champion"
    ).user
    campaign = make_campaign(make_survey(csm), csm, portfolio_owner=csm, name="Spring NPS")
    return Asked(account, csm, champion, deliver(campaign, champion, account=account))


def screenshot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def test_a_champion_answers_in_the_portal_and_the_csm_follows_up(
    page: Page, live_server: LiveServer, asked: Asked
) -> None:
    login(page, live_server, asked.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    prompt = page.get_by_role("region", name="A quick question from Northwind Software")
    expect(prompt).to_contain_text("How likely are you to recommend")
    assert_accessible(page)
    screenshot(page, "survey_prompt")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        prompt.get_by_role("button", name="3", exact=True).click()
    assert posted.value.status == 200
    thanks = page.get_by_role("region", name="Thank you – you answered 3")
    expect(thanks).to_be_visible()
    thanks.get_by_label("What is the main reason for your score?").fill(
        "CSV exports time out on our larger warehouses."
    )
    thanks.get_by_role("button", name="Send").click()
    expect(page.get_by_role("region", name="Thank you for your feedback")).to_be_visible()
    assert_accessible(page)
    response = Response.objects.get(delivery=asked.delivery)
    assert (response.score, response.channel) == (3, "portal")
    assert response.comment.startswith("CSV exports")
    assert FollowUp.objects.filter(response=response, csm=asked.csm, status="open").exists()

    # The CSM sees it on their follow-ups page, oldest first, and opens it.
    page.context.clear_cookies()
    login(page, live_server, asked.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/surveys/follow-ups/")
    row = page.get_by_role("row").filter(has_text="Dana Champion")
    expect(row).to_contain_text("CSV exports time out")
    expect(row).to_contain_text("Open")
    assert_accessible(page)
    row.get_by_role("link", name="Dana Champion").click()
    expect(page.get_by_role("heading", name="Dana Champion answered 3")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/surveys/results/?period=all")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "survey_results")

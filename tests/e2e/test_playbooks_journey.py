"""Playbooks in the browser: a CS admin previews the built-in detractor follow-up and enables
it; a champion answers NPS 3; the account's CSM finds the call on Today and marks it done,
then marks a playbook's account update read there (the bell in the header counts one less).
axe finds nothing serious on any page on the way, at 1280 px and on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from accounts.inbox import unread_count
from accounts.models import Account, CustomerRole, Notification, User
from playbooks.models import CSMTask, Playbook
from playbooks.services.notices import notify
from playbooks.services.playbooks import ensure_built_in_playbooks
from portal.celery import app as celery_app
from surveys.models import Delivery
from tests.e2e.conftest import BROWSER_ERRORS, DEFAULT_TIMEOUT_MS, RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, AdminFactory, CSMFactory, MembershipFactory
from tests.survey_helpers import deliver, make_campaign, make_survey

PHONE: ViewportSize = {"width": 390, "height": 844}
TASK_TITLE = "Call Dana Champion about their NPS 3"


@dataclass
class Team:
    admin: User
    csm: User
    champion: User
    account: Account
    delivery: Delivery
    playbook: Playbook


@pytest.fixture
def team(settings: Any) -> Team:
    """Acme, its CSM and its champion, asked the CSM's NPS; a CS admin; the built-in
    detractor follow-up, paused as the data migration leaves it."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    # Jobs run in-process after each commit when no broker is configured (as here), so the
    # answer's event has made its task by the time the answer's response comes back.
    assert celery_app.conf.task_always_eager, "the journey needs jobs to run in the live server"
    # The live server's tests flush the database after each one, taking the migration's row
    # with them: the service that made it puts it back (paused) when an earlier journey ran.
    ensure_built_in_playbooks()
    playbook = Playbook.objects.get(key="detractor-follow-up")
    assert not playbook.enabled
    admin = AdminFactory.create(name="Ada Admin")
    csm = CSMFactory.create(name="Casey CSM")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    champion = MembershipFactory.create(
        account=account, role=CustomerRole.CHAMPION, user__name="Dana Champion"
    ).user
    campaign = make_campaign(make_survey(csm), csm, portfolio_owner=csm, name="Spring NPS")
    delivery = deliver(campaign, champion, account=account)
    return Team(admin, csm, champion, account, delivery, playbook)


@pytest.fixture
def open_page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Another browser context (another person, or a phone), its console and script errors
    recorded with the test's like the ``page`` fixture's; closed at the end."""
    contexts = []
    errors = request.node.stash.setdefault(BROWSER_ERRORS, [])

    def open_one(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(f"console error on {page.url}: {message.text}")

        def on_page_error(error: Error) -> None:
            errors.append(f"uncaught script error on {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        return page

    yield open_one
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def test_an_enabled_detractor_follow_up_puts_a_call_on_the_csms_today(
    page: Page, live_server: LiveServer, team: Team, open_page: Callable[..., Page]
) -> None:
    # The CS admin finds the paused built-in playbook and previews it before enabling it.
    login(page, live_server, team.admin.email, PASSWORD)
    page.goto(f"{live_server.url}/playbooks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Playbooks")
    row = page.locator(f"#playbook-{team.playbook.pk}")
    expect(row.get_by_role("heading", name="Detractor follow-up")).to_contain_text("Paused")
    assert_accessible(page)
    row.get_by_role("link", name="Preview and enable Detractor follow-up").click()
    expect(page).to_have_url(f"{live_server.url}/playbooks/{team.playbook.pk}/preview/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who “Detractor follow-up” would reach now"
    )
    expect(page.get_by_text("Nothing is sent or written by this preview.")).to_be_visible()
    expect(page.get_by_text("Fires when “NPS detractor response” happens")).to_be_visible()
    reach = page.get_by_role("region", name="1 account now")
    acme = reach.get_by_role("listitem").filter(has=page.get_by_role("link", name="Acme"))
    expect(acme).to_contain_text("Why: no conditions: every account")
    expect(acme.get_by_role("listitem")).to_have_count(1)  # the one step, and what it would do
    expect(acme.get_by_role("listitem")).to_contain_text("Casey CSM")
    assert_accessible(page)
    screenshot(page, "playbooks_preview")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Enable", exact=True).click()
    assert posted.value.status == 302
    expect(page).to_have_url(f"{live_server.url}/playbooks/")
    expect(row.get_by_role("heading", name="Detractor follow-up")).to_contain_text("Running")
    team.playbook.refresh_from_db()
    assert team.playbook.enabled
    assert_accessible(page)

    # The editor, as the admin would open it to change the step.
    row.get_by_role("link", name="Edit Detractor follow-up").click()
    expect(page).to_have_url(f"{live_server.url}/playbooks/{team.playbook.pk}/edit/")
    assert_accessible(page)
    screenshot(page, "playbooks_editor")

    # The champion, in a browser of their own, answers 3 in the prompt on their account page.
    champion = open_page()
    login(champion, live_server, team.champion.email, PASSWORD)
    champion.goto(f"{live_server.url}/a/acme/")
    prompt = champion.get_by_role("region", name="A quick question from Northwind Software")
    expect(prompt).to_contain_text("How likely are you to recommend")
    with champion.expect_response(lambda r: r.request.method == "POST") as answered:
        prompt.get_by_role("button", name="3", exact=True).click()
    assert answered.value.status == 200
    expect(champion.get_by_role("region", name="Thank you – you answered 3")).to_be_visible()
    # The event's job ran after the answer's commit (no broker: eagerly, in the live server).
    task = CSMTask.objects.get(account=team.account, title=TASK_TITLE)
    assert (task.assignee, task.priority, task.done_at) == (team.csm, "high", None)

    # The CSM logs in, lands on Today and finds the call, with why it is there.
    csm = open_page()
    login(csm, live_server, team.csm.email, PASSWORD)
    expect(csm).to_have_url(f"{live_server.url}/today/")
    expect(csm.get_by_role("heading", level=1)).to_have_text("Today")
    item = csm.locator(f"#task-{task.pk}")
    expect(item).to_contain_text(TASK_TITLE)
    expect(item).to_contain_text("Dana Champion answered NPS 3.")
    expect(item).to_contain_text("High")
    # Where it came from: the playbook, linked to the account.
    expect(item.get_by_role("link", name="Playbook “Detractor follow-up”")).to_be_visible()
    assert_accessible(csm)
    screenshot(csm, "playbooks_today")

    # The same Today on a phone.
    phone = open_page(PHONE)
    login(phone, live_server, team.csm.email, PASSWORD)
    expect(phone).to_have_url(f"{live_server.url}/today/")
    expect(phone.locator(f"#task-{task.pk}")).to_contain_text(TASK_TITLE)
    assert_accessible(phone)
    screenshot(phone, "playbooks_today_phone")

    # Done: htmx swaps the row in place, and the task is no longer open.
    with csm.expect_response(lambda r: r.request.method == "POST") as completed:
        item.get_by_role("button", name=re.compile(r"^Done\b")).click()
    assert completed.value.status == 200
    expect(item).to_contain_text(f"Done: {TASK_TITLE}")
    expect(item.get_by_role("button")).to_have_count(0)
    screenshot(csm, "playbooks_today_done")
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == team.csm
    csm.reload()
    expect(csm.get_by_role("heading", level=1)).to_have_text("Today")
    expect(csm.locator(f"#task-{task.pk}")).to_have_count(0)
    expect(csm.get_by_text(TASK_TITLE)).to_have_count(0)
    assert_accessible(csm)

    # A playbook tells the CSM in their inbox; Today shows it among the account updates, and
    # "Mark read" there goes through the inbox: the item leaves Today, the bell counts one less.
    notify(team.account, text="Acme renews in 30 days.")
    csm.reload()
    updates = csm.get_by_role("region", name=re.compile(r"^Account updates"))
    expect(updates).to_contain_text("Acme renews in 30 days.")
    bell = csm.locator("#inbox-bell")
    before = unread_count(team.csm)
    expect(bell).to_have_attribute("aria-label", f"Inbox, {before} unread")
    assert_accessible(csm)
    screenshot(csm, "playbooks_today_updates")
    with csm.expect_response(lambda r: r.request.method == "POST") as read:
        mark = re.compile(r"^Mark read\W+Acme renews in 30 days\.$")
        updates.get_by_role("button", name=mark).click()
    assert read.value.status == 200
    expect(bell).to_have_attribute("aria-label", f"Inbox, {before - 1} unread")
    expect(csm.get_by_text("Acme renews in 30 days.")).to_have_count(0)
    expect(csm.locator("#today-inbox")).to_be_attached()  # ready for the next one
    told = Notification.objects.get(user=team.csm, title="Acme renews in 30 days.")
    assert told.kind == "account" and told.read_at is not None

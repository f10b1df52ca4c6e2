"""Webhooks in the browser: a CS admin adds an endpoint pointing at a receiver on loopback,
sends a test event, sees it delivered on the endpoint's page, and reads the event types; axe
on every page, and the endpoint's page on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, AdminFactory
from tests.webhooks_helpers import receiver


def test_an_admin_adds_an_endpoint_and_sends_it_a_test_event(
    page: Page, live_server: LiveServer, settings: Any
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True
    admin = AdminFactory.create(name="Ada Admin")
    AccountFactory.create(name="Acme", slug="acme")
    assert Account.objects.count() == 1
    with receiver(lambda request: 204) as hook:
        login(page, live_server, admin.email, PASSWORD)
        page.goto(f"{live_server.url}/console/webhooks/")
        expect(page.get_by_text("No endpoint yet.")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Add endpoint").click()
        page.get_by_label("URL", exact=True).fill(hook.url)
        page.get_by_label("Description").fill("Data warehouse")
        page.get_by_label("Onboarding task completed (task.completed)").check()
        page.get_by_label("A person joined the account (person.joined)").check()
        assert_accessible(page)
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("heading", name=hook.url)).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_text("A test event is on its way")).to_be_visible()
        hook.wait_for(1)
        page.reload()
        row = page.locator("tr", has_text="webhook.test")
        expect(row.get_by_text("Delivered")).to_be_visible()
        expect(row.get_by_text("204", exact=True)).to_be_visible()
        page.set_viewport_size({"width": 390, "height": 844})
        expect(row.get_by_role("button", name="Resend")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Webhooks", exact=True).click()
    expect(page.get_by_text("Data warehouse")).to_be_visible()
    page.get_by_role("link", name="Event types and payloads").click()
    expect(
        page.get_by_role("heading", name="task.completed Onboarding task completed")
    ).to_be_visible()
    assert_accessible(page)

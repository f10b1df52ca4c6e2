"""Chat and calendar in the browser: a CSM adds a Slack channel (a receiver on loopback), sends
it a test message and sees it delivered; then makes a calendar address, copies it and a
calendar reads it. axe finds nothing serious, at 1280 px and on a 390 px phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
import requests
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory
from tests.test_chat import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_a_csm_connects_slack_and_subscribes_to_their_calendar(
    page: Page, live_server: LiveServer, receiver: Receiver, settings: Any
) -> None:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.SITE_URL = live_server.url
    csm = CSMFactory.create(name="Casey CSM")
    AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    login(page, live_server, csm.email, PASSWORD)

    page.goto(f"{live_server.url}/settings/chat/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat notifications")
    expect(page.get_by_text("No channel yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("#casey-alerts")
    page.get_by_label("Incoming-webhook URL").fill(receiver.url())
    page.get_by_label("A customer's new comment").check()
    page.get_by_role("button", name="Add the channel").click()
    expect(page.get_by_text("Added #casey-alerts.")).to_be_visible()
    page.get_by_role("button", name="Send a test message to #casey-alerts").click()
    expect(page.locator(".chat-channel-status")).to_contain_text("Delivered")
    [body] = receiver.bodies
    assert "this channel is connected" in body["text"]
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Calendar feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar feed")
    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_role("textbox", name="Calendar address")
    url = address.input_value()
    assert url.startswith(f"{live_server.url}/calendar/") and url.endswith(".ics")
    assert_accessible(page)
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar: Any = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]).endswith("Casey CSM")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)

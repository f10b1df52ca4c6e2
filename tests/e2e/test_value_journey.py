"""Value realized in the browser: the CSM records a reading in place (a bad one is refused
with a message and nothing lost), and the executive confirms the figure; axe is clean."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import World
from tests.e2e.conftest import BROWSER_ERRORS
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD
from tests.value_factories import contract, kpi_with_readings
from value.models import ValueKPI


def test_the_csm_records_a_reading_and_the_executive_confirms_it(
    page: Page, live_server: LiveServer, world: World, request: pytest.FixtureRequest
) -> None:
    today = timezone.localdate()
    kpi = kpi_with_readings(
        world.account,
        [(today - timedelta(days=30), "80")],
        name="Hours saved",
        unit_value=Decimal(50),
    )
    contract(world.account, "24000")

    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/value/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Value realized")
    expect(page.locator('[data-figure="value-realized"]')).to_have_text("€48,000")
    assert_accessible(page)

    page.get_by_label("Hours saved: quantity in hours").fill("lots")
    page.get_by_role("button", name="Record reading").click()
    expect(page.locator("#notice")).to_contain_text("Enter a number")
    assert ValueKPI.objects.get(pk=kpi.pk).current == Decimal(80)
    # The refusal is the 422 the browser logs; it was expected, and shown where it is read.
    errors = request.node.stash[BROWSER_ERRORS]
    errors[:] = [e for e in errors if "status of 422" not in e]

    page.get_by_label("Hours saved: quantity in hours").fill("100")
    page.get_by_role("button", name="Record reading").click()
    expect(page.locator('[data-figure="value-realized"]')).to_have_text("€60,000")
    expect(page.locator('[data-figure="value-multiple"]')).to_have_text("2.5×")
    page.context.clear_cookies()

    login(page, live_server, world.executive.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/value/")
    expect(page.locator('[data-figure="value-realized"]')).to_have_text("€60,000")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Confirm this figure")).click()
    expect(page.get_by_text("Confirmed by")).to_be_visible()
    kpi.refresh_from_db()
    assert kpi.confirmed_by == world.executive

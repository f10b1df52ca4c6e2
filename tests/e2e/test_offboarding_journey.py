"""Offboarding in the browser: the champion ticks their step, the CSM ticks the vendor's and
marks the account offboarded, which only then offers itself. axe is clean on each page."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from offboarding.models import Side
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD
from tests.offboarding_factories import OffboardingFactory, OffboardingStepFactory


def test_both_sides_tick_their_steps_and_the_csm_marks_the_account_offboarded(
    page: Page, live_server: LiveServer, world: World
) -> None:
    offboarding = OffboardingFactory.create(account=world.account)
    export = OffboardingStepFactory.create(
        offboarding=offboarding, title="Download the data export", side=Side.CUSTOMER
    )
    access = OffboardingStepFactory.create(
        offboarding=offboarding, title="Remove the product's access", side=Side.VENDOR
    )

    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/offboarding/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offboarding")
    # The customer sees its own side's steps; the vendor's are not theirs to tick.
    expect(page.get_by_role("region", name="Offboarding checklist 0/1")).to_be_visible()
    expect(page.get_by_text("Remove the product's access")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Done: Download the data export").click()
    expect(page.get_by_role("region", name="Offboarding checklist 1/1")).to_be_visible()
    expect(page.get_by_role("button", name="Done: Download the data export")).to_have_attribute(
        "aria-pressed", "true"
    )
    export.refresh_from_db()
    assert export.done_by == world.champion

    page.context.clear_cookies()
    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/offboarding/")
    expect(page.get_by_role("region", name="Offboarding checklist 1/2")).to_be_visible()
    expect(page.get_by_text("1 step still to do.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Mark Acme offboarded")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Done: Remove the product's access").click()
    expect(page.get_by_role("region", name="Offboarding checklist 2/2")).to_be_visible()
    access.refresh_from_db()
    assert access.done_by == world.csm

    page.reload()
    page.get_by_role("button", name="Mark Acme offboarded").click()
    expect(page.get_by_text("Offboarded", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Mark Acme offboarded")).to_have_count(0)
    world.account.refresh_from_db()
    offboarding.refresh_from_db()
    assert world.account.offboarded_at is not None
    assert offboarding.completed_at is not None
    assert_accessible(page)

"""Renewals in the browser: a CSM moves an at-risk renewal to committed and the quarter's
forecast NRR on the pipeline goes up; a champion ticks a step of the renewal checklist. axe is
clean on each page."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from renewals.models import Forecast, RenewalStage, Side
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD
from tests.renewals_factories import RenewalStepFactory, make_renewal


def test_a_csm_commits_a_renewal_and_the_forecast_nrr_changes(
    page: Page, live_server: LiveServer, world: World
) -> None:
    # The journeys' day is 16 Nov 2026: a 12,000 ARR contract renewing within the quarter,
    # at risk, counts at half.
    renewal = make_renewal(
        world.account,
        starts_on=date(2025, 12, 15),
        ends_on=date(2026, 12, 15),
        forecast=Forecast.AT_RISK,
    )
    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/renewals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Renewal pipeline")
    nrr = page.get_by_test_id("forecast-nrr")
    expect(nrr).to_have_text("50.0%")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Acme")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme: renewal on 15 Dec 2026")
    assert_accessible(page)
    page.get_by_label("Stage", exact=True).select_option(label="Committed")
    page.get_by_label("Forecast", exact=True).select_option(label="Likely")
    page.get_by_label("Why this forecast").fill("Budget signed off on the call.")
    page.get_by_label("Amount committed (ARR)").fill("12000")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Renewal pipeline")
    expect(page.get_by_test_id("forecast-nrr")).to_have_text("100.0%")
    expect(page.get_by_text("Acme's renewal is saved.")).to_be_visible()
    renewal.refresh_from_db()
    assert renewal.stage == RenewalStage.COMMITTED


def test_a_champion_ticks_a_renewal_step(page: Page, live_server: LiveServer, world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 2, 1))
    step = RenewalStepFactory.create(renewal=renewal, title="Security review", side=Side.CUSTOMER)
    RenewalStepFactory.create(renewal=renewal, title="Renewal quote sent", side=Side.VENDOR)
    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Renewal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your renewal")
    assert_accessible(page)
    checklist = page.get_by_role("region", name=re.compile("^Renewal checklist"))
    expect(checklist.get_by_text("0/2")).to_be_visible()
    # The vendor's step is theirs to tick: no button for it.
    expect(checklist.get_by_role("button", name="Done: Renewal quote sent")).to_have_count(0)
    checklist.get_by_role("button", name="Done: Security review").click()
    expect(
        page.get_by_role("region", name=re.compile("^Renewal checklist")).get_by_text("1/2")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Done: Security review")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)
    step.refresh_from_db()
    assert step.done_by == world.champion

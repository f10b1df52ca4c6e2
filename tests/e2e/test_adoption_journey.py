"""Feature adoption in the browser: the CSM recommends a how-to for a feature nobody at the
account uses, and the champion finds it under "Features to try"; a member dismisses the card an
adoption campaign put on their account page. axe is clean on each page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from adoption.models import CampaignTarget, Recommendation
from tests.adoption_factories import (
    CampaignFactory,
    CampaignTargetFactory,
    LicensedFeatureFactory,
    launched,
    roll_up,
)
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD


def test_a_csm_recommends_a_how_to_and_the_champion_finds_it(
    page: Page, live_server: LiveServer, world: World
) -> None:
    for feature in ("reports", "alerts"):
        LicensedFeatureFactory.create(account=world.account, feature=feature)
    roll_up(world.account, timezone.localdate(), 4, {"reports": 3})

    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/adoption/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feature adoption")
    unused = page.get_by_role("region", name="Features to try")
    expect(unused.get_by_role("heading", name="alerts")).to_be_visible()
    expect(unused.get_by_text("No recommendation yet: add one below.")).to_be_visible()
    assert_accessible(page)

    form = page.get_by_role("region", name="Recommend for Acme")
    form.get_by_label("Feature").fill("alerts")
    form.get_by_label("Kind").select_option(label="Short how-to")
    form.get_by_label("Title").fill("Set up your first alert")
    form.get_by_label("How-to").fill("1. Open **Alerts**\n2. Pick a number to watch")
    form.get_by_role("button", name="Add the recommendation").click()
    expect(
        page.get_by_role("region", name="Features to try").get_by_text(
            "Set up your first alert", exact=True
        )
    ).to_be_visible()
    recommendation = Recommendation.objects.get()
    assert (recommendation.account, recommendation.feature) == (world.account, "alerts")

    page.context.clear_cookies()
    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/adoption/")
    unused = page.get_by_role("region", name="Features to try")
    expect(unused.get_by_text("Set up your first alert", exact=True)).to_be_visible()
    expect(unused.locator("strong", has_text="Alerts")).to_be_visible()
    # The licence and the recommendation forms are the vendor's.
    expect(page.get_by_role("button", name="Save the features")).to_have_count(0)
    expect(page.get_by_role("button", name="Add the recommendation")).to_have_count(0)
    assert_accessible(page)


def test_a_member_dismisses_a_campaign_card(
    page: Page, live_server: LiveServer, world: World
) -> None:
    today = timezone.localdate()
    campaign = launched(
        CampaignFactory.create(account=world.account, headline="Try alerts this week"),
        today - timedelta(days=1),
    )
    card = CampaignTargetFactory.create(campaign=campaign, account=world.account, user=world.member)

    login(page, live_server, world.member.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    region = page.get_by_role("region", name="Try alerts this week")
    expect(region).to_be_visible()
    expect(region.locator("strong", has_text="number")).to_be_visible()
    assert_accessible(page)
    region.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(page.get_by_role("region", name="Try alerts this week")).to_have_count(0)
    card.refresh_from_db()
    assert card.dismissed_at is not None

    page.reload()
    expect(page.get_by_role("heading", name="Try alerts this week")).to_have_count(0)
    assert CampaignTarget.objects.filter(dismissed_at__isnull=True).count() == 0

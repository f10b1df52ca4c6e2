"""Advocacy in the browser: a promoter finds the CSM's reference request on the account page,
opens it from the advocacy panel and says yes; the CSM's account page then lists them as a
reference; axe is clean on each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from advocacy import services
from advocacy.models import AdvocacyAsk, AskKind, AskStatus
from tests.advocacy_factories import nps_answer
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD


def test_a_promoter_accepts_a_reference_request(
    page: Page, live_server: LiveServer, world: World
) -> None:
    world.champion.name = "Dana Champion"
    world.champion.save()
    nps_answer(world.account, world.champion, 9, "The reports save us a day a week.")
    services.ask_for_advocacy(
        world.account,
        world.champion,
        AskKind.REFERENCE,
        note="A retailer evaluating us would love a 20-minute call with you.",
        acting_user=world.csm,
    )

    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    panel = page.get_by_role("region", name="Share your success")
    panel.get_by_role("link", name="Be a reference?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Be a reference?")
    expect(page.get_by_text("A retailer evaluating us")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("A note for the team").fill("Mornings work best.")
    page.get_by_role("button", name="Yes, happy to").click()
    expect(page.locator(".messages")).to_contain_text("Thank you")
    expect(page.get_by_text(re.compile("You answered accepted"))).to_be_visible()
    assert_accessible(page)
    ask = AdvocacyAsk.objects.get(person=world.champion)
    assert (ask.status, ask.answer_note) == (AskStatus.ACCEPTED, "Mornings work best.")

    page.context.clear_cookies()
    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/advocacy/")
    references = page.get_by_role("region", name="References")
    advocate = references.get_by_role("listitem").filter(has_text="Dana Champion")
    expect(advocate).to_contain_text("Available")
    assert_accessible(page)

"""The account page shows its shell at once and loads each panel on its own: a champion, an
executive and the CSM see every panel of their role arrive, on a desktop and on a phone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from portal.management.commands.load_demo import DEMO_PASSWORD
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login

# Who looks, and headings their panels bring (the demo data's acme has an onboarding, a plan,
# usage and reviews; the CSM also sees its tasks and the survey results).
PEOPLE = {
    "champion": ("dana@acme.example", ["Onboarding", "Success plan", "Product usage"]),
    # The executive's own home (its h1 names both companies).
    "executive": (
        "eli@acme.example",
        ["Needs your attention", "Objectives against their targets", "Business reviews"],
    ),
    "csm": ("priya@northwind.example", ["CSM tasks", "Playbook runs", "Surveys", "Health"]),
}


@pytest.fixture
def demo(db: None) -> None:
    call_command("load_demo", stdout=StringIO())


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("width", [1280, 390])
def test_the_account_page_loads_its_panels(
    demo: None, page: Page, live_server: LiveServer, who: str, width: int
) -> None:
    email, headings = PEOPLE[who]
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, email, DEMO_PASSWORD)
    held: list[Route] = []
    page.route("**/panels/**", lambda route: held.append(route))  # held until the shell is seen
    page.goto("/a/acme/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Logistics")
    slots = page.locator(".panel-slot")
    expect(slots.first).to_contain_text("loading")  # each placeholder says what it loads
    assert slots.first.bounding_box()["height"] >= 40  # type: ignore[index]
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"account_panels_loading_{who}_{width}.png")
    page.wait_for_function(f"document.querySelectorAll('.panel-slot').length <= {len(held)}")
    page.unroute("**/panels/**")  # lets the held requests go on
    expect(slots).to_have_count(0)  # every placeholder replaced by its panel (or removed)
    for heading in headings:
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the {width}px window"
    assert_accessible(page)


def test_without_javascript_each_panel_is_a_link(
    demo: None, browser: object, live_server: LiveServer
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server, "dana@acme.example", DEMO_PASSWORD)
        page.goto("/a/acme/")
        link = page.get_by_role("region", name="Onboarding").get_by_role("link")
        expect(link).to_be_visible()
        link.click()
        expect(page.get_by_role("heading", name="Onboarding", level=2)).to_be_visible()
    finally:
        context.close()

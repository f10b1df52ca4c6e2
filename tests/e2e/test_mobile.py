"""Every main page fits a 390 px phone: nothing wider than the screen, every navigation link
within reach.

Wide tables scroll inside their card; the main navigation is a menu (a button in the top bar,
every page in the list it opens) rather than a strip that scrolls sideways. On a laptop's
1280 px the customer's navigation keeps to one row in every language.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from tests.conftest import World
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, RESULTS_DIR
from tests.e2e.helpers import login
from tests.factories import PASSWORD, AccountFactory
from tests.onboarding_helpers import start as start_checklist
from tests.plan_helpers import make_plan
from tests.reports_helpers import make_reports_world
from tests.survey_helpers import make_survey_world
from tests.updates_helpers import make_updates_world

PHONE: ViewportSize = {"width": 390, "height": 844}

# Whatever reaches past the right edge of the screen, outside anything that scrolls by itself.
WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > edge + 1 && !scrolls(el))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


@pytest.fixture
def phone(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page the size of a phone's screen; a screenshot of the last page it showed."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def mobile_world(world: World, settings: Any, tmp_path: Path) -> dict[str, dict[str, str]]:
    """An account with a checklist, a plan, reviews and survey answers; renewals in the book."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    soon = timezone.localdate() + timedelta(days=20)
    type(world.account).objects.filter(pk=world.account.pk).update(
        name="Acme Logistics International", renewal_date=soon
    )
    for n in range(3):
        AccountFactory.create(
            name=f"Northern Freight Holdings {n}", owner=world.csm, renewal_date=soon
        )
    start_checklist(world)
    plan = make_plan(world)
    make_reports_world(world)
    make_survey_world(world)
    made = make_updates_world(world)
    slug = world.account.slug
    account = {
        "account page": f"/a/{slug}/",
        "onboarding checklist": f"/a/{slug}/onboarding/",
        "plan": f"/a/{slug}/plans/{plan.pk}/",
        "reviews": f"/a/{slug}/reports/",
        "people": f"/a/{slug}/people/",
        "updates": f"/a/{slug}/updates/",
        "an update": f"/a/{slug}/updates/{made['published'].pk}/",
    }
    console = {
        "today": "/today/",
        "portfolio": "/portfolio/",
        "book": "/book/",
        "onboarding portfolio": "/onboarding/",
        "plans portfolio": "/plans/",
        "surveys": "/surveys/",
        "product updates": "/updates/",
        "update editor": "/updates/new/",
        "update reach": f"/updates/{made['published'].pk}/",
    }
    return {
        "csm": {**console, **account},
        "admin": {**console, "settings": "/console/settings/", **account},
        "champion": {**account, "profile": "/settings/profile/"},
    }


def check_fits(page: Page, what: str) -> list[str]:
    """What is wrong with the page at phone width: too wide, or a navigation link out of view."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{what} is {width} px wide: {page.evaluate(WIDEST)}")
    toggle = page.locator("nav.mainnav .nav-toggle")
    if not toggle.is_visible():
        problems.append(f"{what}: the main navigation's menu button is not shown")
    elif toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    links = page.locator("nav.mainnav a")
    if links.count() == 0:
        problems.append(f"{what} has no main navigation")
    for link in links.all():
        box = link.bounding_box()
        inside = box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        if not (link.is_visible() and inside):
            problems.append(f"{what}: the main navigation's {link.inner_text()!r} is out of view")
    return problems


@pytest.mark.parametrize("persona", ["csm", "admin", "champion"])
def test_every_main_page_fits_a_phone(
    phone: Page,
    live_server: LiveServer,
    world: World,
    mobile_world: dict[str, dict[str, str]],
    persona: str,
) -> None:
    user = world.persona(persona)
    assert user is not None  # none of these personas is anonymous
    login(phone, live_server, user.email, PASSWORD)
    problems = []
    for what, path in mobile_world[persona].items():
        response = phone.goto(path)
        assert response is not None and response.status == 200, (path, response)
        problems += check_fits(phone, f"{what} ({path})")
    assert not problems, "\n".join(problems)


def test_the_navigation_menu_opens_and_closes_on_a_phone(
    phone: Page, live_server: LiveServer, world: World
) -> None:
    login(phone, live_server, world.champion.email, PASSWORD)
    phone.goto(f"/a/{world.account.slug}/")
    toggle = phone.locator("nav.mainnav .nav-toggle")
    people = phone.locator("nav.mainnav").get_by_role("link", name="People")
    assert toggle.is_visible() and not people.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and people.is_visible()
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not people.is_visible()
    toggle.click()
    people.click()
    assert phone.url.endswith(f"/a/{world.account.slug}/people/")


@pytest.mark.parametrize("language", ["fr", "de", "es", "en"])
def test_the_customers_navigation_keeps_to_one_row_on_a_laptop(
    browser: Browser, live_server: LiveServer, world: World, language: str
) -> None:
    world.champion.language = language
    world.champion.save(update_fields=["language"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, world.champion.email, PASSWORD)
        page.goto(f"/a/{world.account.slug}/")
        assert page.locator("nav.mainnav .nav-toggle").is_hidden()
        tops = page.eval_on_selector_all(
            "nav.mainnav li", "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
        )
        assert len(tops) >= 10 and len(set(tops)) == 1, tops
    finally:
        context.close()

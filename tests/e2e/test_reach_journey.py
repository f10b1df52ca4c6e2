"""Reach, end to end: the champion works their checklist inside the vendor's product (the hub
framed cross-site, entered with a token the product's backend signed), and the owner CSM, in
the portal itself, finds it in their inbox: the bell counts it, the item links to the task.
axe checks the embedded checklist and the inbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from accounts.models import Notification
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.e2e.test_embed_journey import ProductSite
from tests.e2e.test_embed_journey import product_sites as product_sites  # the fixture
from tests.e2e.test_onboarding_journey import DONE_BUTTON, TASK, Onboarding
from tests.e2e.test_onboarding_journey import onboarding as onboarding  # the fixture
from tests.embed_helpers import EmbedSettingsFactory, token_for
from tests.factories import PASSWORD


def bell(page: Page) -> Any:
    return page.get_by_role("link", name=re.compile(r"^Inbox, \d+ unread$"))


def test_the_embedded_champion_ticks_a_task_and_the_csms_bell_rings(
    page: Page,
    live_server: Any,
    onboarding: Onboarding,
    product_sites: Callable[[], ProductSite],
) -> None:
    product = product_sites()
    EmbedSettingsFactory.create(allowed_origins=[product.origin])
    account, champion, csm = onboarding.account, onboarding.champion, onboarding.csm
    product.src = f"{live_server.url}/embed/?token={token_for(champion, account)}"

    # Inside the product: the hub, without the portal's own header, on the champion's account.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(product.origin)
    hub = page.frame_locator("iframe[title='Customer success hub']")
    expect(hub.get_by_role("heading", level=1)).to_have_text(account.name)
    expect(hub.locator(".topbar")).to_have_count(0)
    hub.get_by_role("navigation", name=account.name).get_by_role("link", name="Onboarding").click()

    # The tick: an htmx POST from inside the frame, under the embed session's cookies.
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/done/")
    ) as posted:
        hub.get_by_role("button", name=DONE_BUTTON, exact=True).click()
    assert posted.value.status == 200, f"POST {posted.value.url} answered {posted.value.status}"
    assert posted.value.url.startswith(f"{live_server.url}/embed/a/{account.slug}/")
    expect(hub.get_by_role("button", name=DONE_BUTTON)).to_have_attribute("aria-pressed", "true")
    onboarding.task.refresh_from_db()
    assert onboarding.task.is_done
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "reach_embedded_tick.png")

    # The embedded checklist, checked with axe on its own (axe cannot reach a cross-site frame).
    own = page.context.new_page()
    own.goto(f"{live_server.url}/embed/?token={token_for(champion, account)}")
    own.goto(f"{live_server.url}/embed/a/{account.slug}/onboarding/")
    expect(own.get_by_role("button", name=DONE_BUTTON)).to_have_attribute("aria-pressed", "true")
    assert_accessible(own)
    own.close()

    # The CSM, in the portal itself: the bell counts the tick, the item links to the task.
    browser = page.context.browser
    assert browser is not None
    csm_page = browser.new_page()  # a browser context of its own: the CSM's own cookies
    try:
        login(csm_page, live_server, csm.email, PASSWORD)
        expect(bell(csm_page)).to_have_accessible_name("Inbox, 1 unread")
        bell(csm_page).click()
        title = f"{champion.display_name} completed “{TASK}”"
        item = csm_page.locator(".inbox-item").first
        expect(item).to_contain_text(title)
        assert_accessible(csm_page)
        assert Notification.objects.get(user=csm, title=title).read_at is None
        csm_page.get_by_role("link", name=title).click()
        expect(csm_page).to_have_url(re.compile(rf"/a/{account.slug}/onboarding/tasks/\d+/$"))
        assert "/embed/" not in csm_page.url  # the CSM's link is to the portal, not the frame
        expect(bell(csm_page)).to_have_accessible_name("Inbox, 0 unread")
    finally:
        csm_page.close()

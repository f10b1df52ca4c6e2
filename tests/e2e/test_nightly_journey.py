"""A CS admin checks last night's roll-up and health scores: from Settings to the run, a failed
chunk and its error, on a desk and on a 390 px phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from insights.models import NightlyChunk, NightlyRun
from tests.conftest import World
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, NightlyChunkFactory, NightlyRunFactory

NIGHT = date(2026, 11, 16)
ERROR = (
    "OperationalError: canceling statement due to statement timeout\n"
    "CONTEXT: while rolling up usage for 2026-11-16"
)


def nights(world: World) -> NightlyRun:
    """Tonight's run: 48 chunks, one failed for good, one done on its second attempt; and
    three nights before it."""
    for n in range(1, 4):
        start = datetime(2026, 11, 16 - n, 2, 0, 3, tzinfo=UTC)
        before = NightlyRunFactory.create(
            day=NIGHT - timedelta(days=n),
            started_at=start,
            finished_at=start + timedelta(minutes=4, seconds=10 * n),
            chunk_count=1,
            account_count=9_512 - n,
        )
        NightlyChunkFactory.create(run=before, account=world.account, account_count=9_512 - n)
    start = datetime(2026, 11, 16, 2, 0, 4, tzinfo=UTC)
    run = NightlyRunFactory.create(
        day=NIGHT,
        started_at=start,
        finished_at=start + timedelta(minutes=4, seconds=38),
        chunk_count=48,
        account_count=9_512,
    )
    names = ["Acme Logistics", "Bluth Company", "Cyberdyne Systems", "Dunder Mifflin"]
    accounts = [AccountFactory.create(name=name) for name in names]
    for index in range(48):
        first, last = accounts[index % 2], accounts[2 + index % 2]
        NightlyChunkFactory.create(
            run=run,
            index=index,
            account=first,
            last_account_id=last.pk,
            account_count=200 if index < 47 else 112,
            status=NightlyChunk.Status.FAILED if index == 17 else NightlyChunk.Status.DONE,
            attempts=3 if index == 17 else 2 if index == 30 else 1,
            error=ERROR
            if index == 17
            else "ConnectionError: server closed the connection"
            if index == 30
            else "",
        )
    return run


def test_a_cs_admin_finds_last_nights_run_and_its_failed_chunk(
    page: Page, live_server: LiveServer, world: World, settings: Any, browser: Browser
) -> None:
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    nights(world)
    login(page, live_server, world.admin.email, PASSWORD)
    page.goto("/console/settings/")
    page.get_by_role("link", name="Nightly work").click()
    expect(page.get_by_role("heading", name="Nightly work")).to_be_visible()
    expect(page.get_by_text("Finished with failures")).to_be_visible()
    expect(page.get_by_text("Finished, in 4 min 38 s")).to_be_visible()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)  # the failed chunk, then the one done on a retry
    expect(rows.first).to_contain_text("statement timeout")
    expect(rows.first).to_contain_text("Bluth Company … Dunder Mifflin")
    expect(rows.nth(1)).to_contain_text("server closed the connection")
    assert_accessible(page)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "nightly_run.png", full_page=True)

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    phone.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        small = phone.new_page()
        login(small, live_server, world.admin.email, PASSWORD)
        small.goto("/console/nightly/")
        expect(small.get_by_text("Finished with failures")).to_be_visible()
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        small.screenshot(path=RESULTS_DIR / "nightly_run_390.png", full_page=True)
    finally:
        phone.close()

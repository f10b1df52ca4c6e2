"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright's sync API keeps an asyncio event loop "running" in the main thread for as long as
it is started, so Django would take every ORM call from the tests (factories, the database
flush between tests) for one made from async code. ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for
the browser's lifetime only: the documented workaround for Playwright with Django. The browser
is package-scoped (one launch for all of tests/e2e) so that the loop, and the variable, are
gone before any other test of the session runs.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

E2E_DIR = Path(__file__).resolve().parent
RESULTS_DIR = E2E_DIR.parent.parent / "test-results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
BROWSER_ERRORS = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fail a journey that passed its own checks if the browser logged an error meanwhile.

    Checked in the call phase, not at fixture teardown, so that it counts as the test's result.
    """
    result = yield
    errors = item.stash.get(BROWSER_ERRORS, [])
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)
    return result


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    """Every journey starts at the same moment; the clock ticks on from there, for the
    server's timeouts and the pages' polling."""
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """allauth counts log-ins per IP a minute in the cache, and every journey's clock starts at
    the same minute: without this, the journeys' log-ins add up past the limit (429)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the journeys, stopped when the last of them has run."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (make system-deps-test)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
        finally:
            playwright.stop()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser context per test, its console errors and script errors recorded.

    A screenshot of where the journey ended goes to test-results/ for humans to look at.
    """
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors = request.node.stash.setdefault(BROWSER_ERRORS, [])

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console error on {page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught script error on {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield page
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with contextlib.suppress(Error):
            page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
            page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)
    finally:
        context.close()

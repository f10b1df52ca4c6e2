"""The hub inside the vendor's product: a page on another site frames the portal with a token
its backend signed; the champion sees and works their account inside the frame. A page from an
origin the CS admin did not allow cannot frame it.

The product's page is served by a real HTTP server on 127.0.0.1 while the portal is on
localhost, so the frame is cross-site, as in production: only cookies marked
``SameSite=None; Secure`` reach the portal from inside it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account, CustomerRole, User
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, RESULTS_DIR
from tests.e2e.helpers import assert_accessible
from tests.embed_helpers import EmbedSettingsFactory, token_for
from tests.factories import AccountFactory, MembershipFactory

SHOTS = Path("/tmp/shots")  # noqa: S108 - screenshots for people to look at

PRODUCT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind Analytics</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body {{ margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f1f3f7; color: #1b2330; }}
  header {{ display: flex; align-items: center; gap: 2rem; padding: 0 1.5rem; height: 52px;
            background: #111827; color: #fff; }}
  header strong {{ font-size: 1.05rem; }} header nav a {{ color: #cbd5e1; margin-right: 1rem; }}
  main {{ padding: 1rem; }} h1 {{ font-size: 1.1rem; margin: 0 0 .75rem; }}
  iframe {{ width: 100%; height: 760px; border: 1px solid #d0d5dd; border-radius: 10px;
            background: #fff; }}
</style></head>
<body><header><strong>Northwind Analytics</strong>
<nav aria-label="Product"><a href="#">Dashboards</a><a href="#">Reports</a><a href="#">Success hub</a></nav></header>
<main><h1>Success hub</h1>
<iframe title="Customer success hub" src="{src}"></iframe></main></body></html>
"""


class ProductSite:
    """The vendor's product: one page that frames whatever ``src`` says, on 127.0.0.1."""

    def __init__(self) -> None:
        self.src = "about:blank"
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = PRODUCT_PAGE.format(src=html.escape(site.src)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def product_sites() -> Iterator[Callable[[], ProductSite]]:
    started: list[ProductSite] = []

    def start() -> ProductSite:
        started.append(ProductSite())
        return started[-1]

    yield start
    for site in started:
        site.close()


def make_champion() -> tuple[Account, User]:
    account = AccountFactory.create(
        name="Acme Logistics", slug="acme", email_domains="acme.example", brand_color="#c2410c"
    )
    champion = MembershipFactory.create(
        account=account,
        role=CustomerRole.CHAMPION,
        user__email="dana@acme.example",
        user__name="Dana Whitfield",
    ).user
    return account, champion


def test_the_champion_sees_and_works_their_account_inside_the_product(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    product_sites: Callable[[], ProductSite],
) -> None:
    product = product_sites()
    assert not live_server.url.startswith(product.origin)  # localhost framed by 127.0.0.1
    EmbedSettingsFactory.create(allowed_origins=[product.origin])
    account, champion = make_champion()
    product.src = f"{live_server.url}/embed/?token={token_for(champion, account)}"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(product.origin)
    hub = page.frame_locator("iframe[title='Customer success hub']")
    expect(hub.get_by_role("heading", level=1)).to_have_text("Acme Logistics")
    expect(hub.get_by_role("navigation", name="Acme Logistics")).to_contain_text("Onboarding")
    expect(hub.locator(".topbar")).to_have_count(0)  # the product's header is the only one
    SHOTS.mkdir(exist_ok=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "embed_parent.png")

    # A form inside the frame: its session and CSRF cookies reach the portal cross-site.
    hub.get_by_role("link", name="(your profile)").click()
    hub.get_by_label("Name").fill("Dana W.")
    hub.get_by_role("button", name="Save").click()
    expect(hub.get_by_role("status")).to_contain_text("Your profile was saved")
    expect(hub.get_by_role("navigation", name="Acme Logistics")).to_contain_text("Dana W.")
    champion.refresh_from_db()
    assert champion.name == "Dana W."
    hub.get_by_role("link", name="Overview").click()
    expect(hub.get_by_role("heading", level=1)).to_have_text("Acme Logistics")

    # On a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(hub.get_by_role("heading", level=1)).to_be_visible()
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(500)  # the frame lays itself out again at the new width
    page.screenshot(path=SHOTS / "embed_parent_390.png")

    framed = page.frames[1]
    assert framed.url == f"{live_server.url}/embed/a/acme/"

    # The embedded layout, checked with axe (a frame on another site is out of its reach): the
    # same page opened with a token of its own, since the frame's cookies belong to the product.
    own = page.context.new_page()
    own.goto(f"{live_server.url}/embed/?token={token_for(champion, account)}")
    expect(own).to_have_url(f"{live_server.url}/embed/a/acme/")
    expect(own.get_by_role("heading", level=1)).to_have_text("Acme Logistics")
    assert_accessible(own)
    own.close()


def test_a_page_from_an_origin_not_allowed_cannot_frame_the_hub(
    browser: Browser, live_server: LiveServer, product_sites: Callable[[], ProductSite]
) -> None:
    allowed, other = product_sites(), product_sites()
    EmbedSettingsFactory.create(allowed_origins=[allowed.origin])
    account, champion = make_champion()
    other.src = f"{live_server.url}/embed/?token={token_for(champion, account)}"

    context = browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    refusals: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "frame-ancestors" in message.text:
            refusals.append(message.text)

    page.on("console", on_console)
    try:
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
            page.goto(other.origin)
        assert allowed.origin in refusals[0]  # the browser names the origins that may frame it
        hub = page.frame_locator("iframe[title='Customer success hub']")
        expect(hub.get_by_role("heading", name="Acme Logistics")).to_have_count(0)
        page.screenshot(path=RESULTS_DIR / "embed_blocked.png")
    finally:
        context.close()

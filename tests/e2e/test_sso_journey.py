"""Single sign-on in Chromium: a person of Acme chooses "Sign in with your company's SSO" on the
log-in page, types their work e-mail, signs in at Acme's identity provider (tests/idp, on
loopback) and lands in the portal as Acme's champion. The pages pass axe, and the browser
reports no error on the way (a Content-Security-Policy that stopped the way out would be one)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Membership
from tests.e2e.helpers import assert_accessible
from tests.factories import PASSWORD, AccountFactory, MembershipFactory
from tests.sso_helpers import IDP_PASSWORD, IdP, configure_oidc, running_idp


@pytest.fixture(autouse=True)
def _on_a_fixed_day() -> None:
    """The real clock, not the journeys' fixed day: the identity provider dates its tokens by
    the real one, and the portal refuses a token dated in its future."""


@pytest.fixture
def idp_for_live_server(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdP]:
    with running_idp(tmp_path_factory.mktemp("idp-e2e"), portal=live_server.url) as idp:
        yield idp


def test_a_person_signs_in_with_their_companys_sso(
    page: Page, live_server: LiveServer, idp_for_live_server: IdP
) -> None:
    acme = AccountFactory.create(name="Acme", slug="acme", email_domains="acme.example")
    configure_oidc(acme, idp_for_live_server, require_sso=True)
    MembershipFactory.create(account=acme, user__email="dana@acme.example")

    # A password log-in is turned away with the way in.
    page.goto(f"{live_server.url}/auth/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill("dana@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Your company signs in with single sign-on")
    expect(page.get_by_role("button", name="Sign in with Acme SSO")).to_be_visible()

    # Home realm discovery, then the identity provider's own log-in form.
    page.get_by_role("link", name="Sign in with your company's SSO").click()
    assert_accessible(page)
    page.get_by_label("Work e-mail").fill("pat@acme.example")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(rf"^http://127\.0\.0\.1:{idp_for_live_server.port}/login/"))
    page.get_by_label("Username").fill("pat")
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back in the portal, signed in, on Acme's page.
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    membership = Membership.objects.get(user__email="pat@acme.example")
    assert (membership.account_id, membership.role) == (acme.pk, "champion")

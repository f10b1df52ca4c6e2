"""The hub embedded in the vendor's product: the token hand-off, the embed's own cookies and
framing rules, the tenancy rule inside the frame, and the CS admin's console page."""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from typing import Any

import jwt
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, CustomerRole, Membership, User
from integrations.middleware import EMBED_CSRF_COOKIE, EMBED_SESSION_COOKIE
from integrations.models import EmbedSettings, UsedEmbedToken, seal, unseal
from tests.conftest import World, client_for
from tests.embed_helpers import (
    PARENT_ORIGIN,
    SECRET,
    EmbedAccountIdFactory,
    EmbedSettingsFactory,
    sign,
    token_for,
)
from tests.factories import AccountFactory, MembershipFactory
from tests.snapshot import unchanged

OLD_SECRET = "emb_rotated-out-secret-0123456789abcdefghij"


@pytest.fixture
def embed(world: World) -> EmbedSettings:
    return EmbedSettingsFactory.create()


def enter(client: Client, token: str) -> Any:
    return client.get("/embed/", {"token": token})


def refused(response: Any, code: str, title: str) -> None:
    assert response.status_code == 403, response.status_code
    text = response.content.decode()
    assert title in text, text
    assert f"<code>{code}</code>" in text


# --- The way in -------------------------------------------------------------------------------


def test_a_champion_with_a_good_token_lands_on_their_account_inside_the_frame(
    world: World, embed: EmbedSettings
) -> None:
    client = Client()
    response = enter(client, token_for(world.champion, world.account))

    assert response.status_code == 302
    assert response["Location"] == "/embed/a/acme/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme" in html
    assert 'class="topbar"' not in html and 'class="footer"' not in html  # the product's own
    assert 'class="subnav embed-bar"' in html
    # Links stay inside the frame; static files are the portal's own.
    assert 'href="/embed/a/acme/onboarding/"' in html
    assert 'href="/a/acme/' not in html
    assert 'href="/static/css/portal.css"' in html
    assert UsedEmbedToken.objects.count() == 1


def test_the_product_may_name_the_account_by_its_own_id(world: World, embed: EmbedSettings) -> None:
    EmbedAccountIdFactory.create(account=world.account, external_id="org_42")
    response = enter(Client(), sign(sub=world.member.email, account="org_42"))
    assert response.status_code == 302
    assert response["Location"] == "/embed/a/acme/"


def test_a_newcomer_at_the_accounts_domain_joins_as_a_member_whatever_the_token_says(
    world: World, embed: EmbedSettings
) -> None:
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example")
    token = sign(sub="New.Person@Acme.example", account="acme", name="New Person", role="champion")

    response = enter(Client(), token)

    assert response.status_code == 302
    user = User.objects.get(email="new.person@acme.example")
    assert user.name == "New Person"
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == CustomerRole.MEMBER
    assert world.account.activities.filter(verb="joined", actor=user).exists()


def test_a_trusted_role_claim_applies_on_the_first_visit_only(
    world: World, embed: EmbedSettings
) -> None:
    EmbedSettings.objects.filter(pk=embed.pk).update(trust_role_claim=True)
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example")

    enter(Client(), sign(sub="exec@acme.example", account="acme", role="executive"))
    membership = Membership.objects.get(user__email="exec@acme.example")
    assert membership.role == CustomerRole.EXECUTIVE

    enter(Client(), sign(sub="exec@acme.example", account="acme", role="champion"))
    membership.refresh_from_db()
    assert membership.role == CustomerRole.EXECUTIVE
    enter(Client(), token_for(world.member, world.account, role="champion"))
    assert Membership.objects.get(user=world.member).role == CustomerRole.MEMBER


def test_a_secret_rotated_out_works_during_its_grace_period_only(
    world: World, embed: EmbedSettings
) -> None:
    admin = world.admin
    from integrations.services.embed import rotate_embed_secret

    new_secret = rotate_embed_secret(acting_user=admin)
    assert enter(Client(), token_for(world.member, world.account)).status_code == 302  # old
    assert (
        enter(Client(), token_for(world.member, world.account, secret=new_secret)).status_code
        == 302
    )
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        old = token_for(world.member, world.account)
        with unchanged():
            refused(enter(Client(), old), "tampered", "signature is wrong")
        fresh = token_for(world.member, world.account, secret=new_secret)
        assert enter(Client(), fresh).status_code == 302


def test_the_secret_is_stored_encrypted_and_shown_once(world: World) -> None:
    client = client_for(world.admin)
    response = client.post("/console/embed/secret/")
    assert response.status_code == 302
    page = client.get("/console/embed/").content.decode()
    secret = re.search(r'id="embed-secret" type="text" value="([^"]+)"', page)
    assert secret is not None
    stored = EmbedSettings.load()
    assert secret.group(1) not in stored.secret_sealed
    assert unseal(stored.secret_sealed) == secret.group(1)
    again = client.get("/console/embed/").content.decode()
    assert secret.group(1) not in again
    assert f"<code>{secret.group(1)[:8]}…</code>" in again


# --- Refusals: each says which it was, logs it, and changes nothing -----------------------------


BAD_TOKENS = {
    "expired": lambda w: token_for(w.champion, w.account, lifetime=-60),
    "replayed": None,  # below
    "tampered": lambda w: token_for(w.champion, w.account)[:-4] + "AAAA",
    "another secret": lambda w: token_for(
        w.champion, w.account, secret="emb_someone-else-entirely-0123456789abcdef"
    ),
    "wrong audience": lambda w: token_for(w.champion, w.account, aud="https://elsewhere.example"),
    "too long": lambda w: token_for(w.champion, w.account, lifetime=3600),
    "unknown account": lambda w: sign(sub=w.champion.email, account="no-such-account"),
    "wrong account": lambda w: token_for(w.other_champion, w.account),
    "vendor staff": lambda w: token_for(w.csm, w.account),
    "no jti": lambda w: token_for(w.champion, w.account, jti=None),
    # Every claim right, but unsigned ("alg": "none").
    "alg none": lambda w: jwt.encode(
        jwt.decode(token_for(w.champion, w.account), options={"verify_signature": False}),
        "",
        "none",
    ),
}
EXPECTED_REASON = {
    "expired": ("expired", "The token has expired"),
    "tampered": ("tampered", "signature is wrong"),
    "another secret": ("tampered", "signature is wrong"),
    "wrong audience": ("wrong_audience", "another audience"),
    "too long": ("too_long", "valid for too long"),
    "unknown account": ("unknown_account", "No such account"),
    "wrong account": ("wrong_account", "not in that account"),
    "vendor staff": ("vendor_staff", "Vendor staff cannot enter"),
    "no jti": ("malformed", "incomplete"),
    "alg none": ("tampered", "signature is wrong"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED_REASON))
def test_a_bad_token_is_refused_with_its_reason_and_logged(
    case: str, world: World, embed: EmbedSettings, caplog: pytest.LogCaptureFixture
) -> None:
    token = BAD_TOKENS[case](world)  # type: ignore[misc]
    code, title = EXPECTED_REASON[case]
    client = Client()
    with caplog.at_level(logging.WARNING, logger="integrations.embed"), unchanged():
        response = enter(client, token)
    refused(response, code, title)
    assert f"Embedded hub refused ({code}" in caplog.text
    assert EMBED_SESSION_COOKIE not in response.cookies
    # The refusal is shown inside the product's frame.
    assert f"frame-ancestors {PARENT_ORIGIN}" in response["Content-Security-Policy"]


def test_a_token_is_used_once(world: World, embed: EmbedSettings) -> None:
    token = token_for(world.champion, world.account)
    assert enter(Client(), token).status_code == 302
    with unchanged():
        refused(enter(Client(), token), "replayed", "already used")


def test_an_address_outside_the_accounts_domains_is_refused(
    world: World, embed: EmbedSettings
) -> None:
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example")
    with unchanged():
        response = enter(Client(), sign(sub="someone@gmail.example", account="acme"))
    refused(response, "wrong_account", "not in that account")
    assert b"gmail.example is not one of the account" in response.content


def test_without_allowed_domains_only_members_can_enter(world: World, embed: EmbedSettings) -> None:
    with unchanged():
        response = enter(Client(), sign(sub="stranger@acme.example", account="acme"))
    refused(response, "wrong_account", "not in that account")
    assert b"no allowed e-mail domains" in response.content


def test_a_person_of_another_account_is_refused_even_at_an_allowed_domain(
    world: World, embed: EmbedSettings
) -> None:
    Account.objects.filter(pk=world.account.pk).update(email_domains="customer.example")
    assert world.other_champion.email.endswith("@customer.example")
    with unchanged():
        refused(
            enter(Client(), token_for(world.other_champion, world.account)),
            "wrong_account",
            "not in that account",
        )


def test_a_superuser_is_refused_like_vendor_staff(world: World, embed: EmbedSettings) -> None:
    User.objects.filter(pk=world.member.pk).update(is_superuser=True)
    with unchanged():
        response = enter(Client(), token_for(world.member, world.account))
    refused(response, "vendor_staff", "Vendor staff cannot enter")


def test_a_token_late_within_the_leeway_is_still_single_use(
    world: World, embed: EmbedSettings
) -> None:
    token = token_for(world.champion, world.account, lifetime=60)
    assert enter(Client(), token).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=65)):
        enter(Client(), token_for(world.executive, world.account))  # prunes what it may
        with unchanged():
            refused(enter(Client(), token), "replayed", "already used")


def test_a_deactivated_person_is_refused(world: World, embed: EmbedSettings) -> None:
    User.objects.filter(pk=world.member.pk).update(is_active=False)
    with unchanged():
        refused(enter(Client(), token_for(world.member, world.account)), "deactivated", "removed")


def test_nothing_opens_before_embedding_is_set_up(world: World) -> None:
    with unchanged():
        refused(
            enter(Client(), token_for(world.champion, world.account)), "not_set_up", "not set up"
        )
    assert "frame-ancestors 'none'" in enter(Client(), "x")["Content-Security-Policy"]


# --- Inside the frame ---------------------------------------------------------------------------


def test_the_embed_has_its_own_cross_site_cookies_and_the_portal_keeps_lax_ones(
    world: World, embed: EmbedSettings
) -> None:
    client = Client()
    response = enter(client, token_for(world.champion, world.account))
    cookie = response.cookies[EMBED_SESSION_COOKIE]
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]
    assert cookie["path"] == "/embed/"
    # Partitioned (CHIPS): kept by browsers that block third-party cookies, for this product.
    assert cookie.output().endswith("; Partitioned")
    assert settings.SESSION_COOKIE_NAME not in response.cookies

    page = client.get("/embed/a/acme/")
    csrf = page.cookies.get(EMBED_CSRF_COOKIE) or client.cookies[EMBED_CSRF_COOKIE]
    assert csrf["samesite"] == "None" and csrf["secure"] and csrf["path"] == "/embed/"
    assert settings.CSRF_COOKIE_NAME not in page.cookies

    # The same person in the portal itself: the usual cookies, SameSite=Lax, never None.
    portal = Client()
    login = portal.post(
        "/auth/login/", {"login": world.champion.email, "password": "correct-horse-battery-staple"}
    )
    assert login.status_code == 302
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["samesite"] == "Lax" and session["path"] == "/"
    assert EMBED_SESSION_COOKIE not in login.cookies


def test_pages_outside_the_embed_still_refuse_every_frame(
    world: World, embed: EmbedSettings
) -> None:
    for path in ["/auth/login/", "/a/acme/", "/console/embed/"]:
        response = client_for(world.admin).get(path)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path
        assert response["X-Frame-Options"] == "DENY", path


def test_embed_pages_may_be_framed_by_the_allowed_origins_only(
    world: World, embed: EmbedSettings
) -> None:
    client = Client()
    enter(client, token_for(world.champion, world.account))
    response = client.get("/embed/a/acme/plans/", follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {PARENT_ORIGIN};" in policy or policy.endswith(
        f"frame-ancestors {PARENT_ORIGIN}"
    )
    assert "'none'" not in policy.split("frame-ancestors", 1)[1].split(";")[0]
    assert "X-Frame-Options" not in response


def test_a_form_posts_inside_the_frame_with_the_embeds_csrf_cookie(
    world: World, embed: EmbedSettings
) -> None:
    client = Client(enforce_csrf_checks=True)
    enter(client, token_for(world.champion, world.account))
    page = client.get("/embed/settings/profile/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = client.post(
        "/embed/settings/profile/", {"name": "Dana Champion", "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/embed/")
    world.champion.refresh_from_db()
    assert world.champion.name == "Dana Champion"


def test_the_embedded_session_is_the_tokens_account_only_and_the_tenancy_rule_still_holds(
    world: World, embed: EmbedSettings
) -> None:
    MembershipFactory.create(user=world.champion, account=world.other_account)
    client = Client()
    enter(client, token_for(world.champion, world.account))
    assert client.get("/embed/a/acme/").status_code == 200
    assert client.get("/embed/a/bluth/").status_code == 404  # theirs, but not this frame's
    # A member's role inside the frame is what it is in the portal: no 360°, no edits.
    member = Client()
    enter(member, token_for(world.member, world.account))
    assert member.get("/embed/a/acme/360/").status_code == 403
    assert member.get("/embed/a/acme/edit/").status_code == 403
    stranger_account = AccountFactory.create(slug="initech")
    assert member.get(f"/embed/a/{stranger_account.slug}/").status_code == 404


def test_the_portals_own_session_does_not_open_the_embed_and_log_in_is_not_framed(
    world: World, embed: EmbedSettings
) -> None:
    client = client_for(world.champion)
    assert client.get("/a/acme/").status_code == 200
    response = client.get("/embed/a/acme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/embed/auth/login/")
    ended = client.get(response["Location"])
    refused(ended, "ended", "session here has ended")


def test_used_tokens_are_pruned_once_they_would_have_expired(
    world: World, embed: EmbedSettings
) -> None:
    enter(Client(), token_for(world.champion, world.account))
    assert UsedEmbedToken.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        enter(Client(), token_for(world.executive, world.account))
    assert UsedEmbedToken.objects.count() == 1


# --- The console ------------------------------------------------------------------------------


def test_origins_must_be_origins(world: World, embed: EmbedSettings) -> None:
    client = client_for(world.admin)
    for bad in [
        "https://app.example.com/hub",
        "app.example.com",
        "https://*.example.com",
        "ftp://x",
    ]:
        with unchanged():
            response = client.post("/console/embed/options/", {"allowed_origins": bad})
        assert response.status_code == 422, bad
    response = client.post(
        "/console/embed/options/",
        {
            "allowed_origins": "https://App.Example.com/\nhttp://localhost:3000",
            "trust_role_claim": "on",
        },
    )
    assert response.status_code == 302
    stored = EmbedSettings.load()
    assert stored.allowed_origins == ["https://app.example.com", "http://localhost:3000"]
    assert stored.trust_role_claim


def test_a_product_id_names_one_account(world: World, embed: EmbedSettings) -> None:
    client = client_for(world.admin)
    EmbedAccountIdFactory.create(account=world.other_account, external_id="org_1")
    with unchanged():
        response = client.post(
            "/console/embed/accounts/", {"account": world.account.pk, "external_id": "org_1"}
        )
    assert response.status_code == 422
    assert b"Another account already has this id" in response.content


def test_ending_the_previous_secret_refuses_its_tokens_at_once(
    world: World, embed: EmbedSettings
) -> None:
    EmbedSettings.objects.filter(pk=embed.pk).update(
        previous_secret_sealed=seal(OLD_SECRET),
        previous_valid_until=timezone.now() + timedelta(hours=5),
    )
    assert (
        enter(Client(), token_for(world.member, world.account, secret=OLD_SECRET)).status_code
        == 302
    )
    assert client_for(world.admin).post("/console/embed/secret/end-previous/").status_code == 302
    with unchanged():
        refused(
            enter(Client(), token_for(world.member, world.account, secret=OLD_SECRET)),
            "tampered",
            "signature is wrong",
        )
    assert enter(Client(), token_for(world.member, world.account, secret=SECRET)).status_code == 302


def test_account_settings_pages_open_in_the_portal_itself_not_in_the_frame(
    world: World, embed: EmbedSettings
) -> None:
    client = Client()
    enter(client, token_for(world.champion, world.account))
    response = client.get("/embed/auth/email/")
    assert response.status_code == 403
    assert b"This page opens in the portal itself" in response.content
    assert b'href="/auth/email/" target="_blank"' in response.content


def test_after_an_embedded_page_the_portals_own_links_have_no_prefix(
    world: World, embed: EmbedSettings
) -> None:
    client = Client()
    enter(client, token_for(world.champion, world.account))
    assert client.get("/embed/a/acme/").status_code == 200
    assert reverse("account_home", args=["acme"]) == "/a/acme/"
    page = client_for(world.champion).get("/a/acme/").content.decode()
    assert 'href="/a/acme/onboarding/"' in page
    assert "/embed/" not in page


@pytest.mark.django_db(transaction=True)
def test_mail_sent_from_inside_the_frame_links_to_the_portal_itself(
    world: World, embed: EmbedSettings, mailoutbox: list[Any]
) -> None:
    """Jobs run in-process here (no broker), after commit, while the embedded request is still
    being served: their links are the portal's own all the same."""
    client = Client()
    enter(client, token_for(world.champion, world.account))
    response = client.post(
        "/embed/a/acme/people/invite/", {"email": "colleague@acme.example", "role": "member"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/embed/a/acme/")
    (mail,) = [m for m in mailoutbox if "colleague@acme.example" in m.to]
    assert f"{settings.SITE_URL}/invitations/" in mail.body
    assert "/embed/" not in mail.body


def test_embed_url_prints_an_address_that_opens_the_hub_once(
    world: World, embed: EmbedSettings
) -> None:
    out = io.StringIO()
    call_command("embed_url", world.champion.email, "acme", stdout=out)
    url = out.getvalue().strip()
    assert url.startswith(f"{settings.SITE_URL}/embed/?token=")
    path = url.removeprefix(settings.SITE_URL)
    assert Client().get(path).status_code == 302
    assert Client().get(path).status_code == 403

"""Single sign-on with OpenID Connect, end to end through a real identity provider on loopback
(tests/idp: django-oauth-toolkit), and every way the portal refuses a sign-in."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Account, Activity, CustomerRole, Membership, User
from tests.factories import AccountFactory, AdminFactory, CSMFactory, MembershipFactory, UserFactory
from tests.panels import account_page
from tests.snapshot import unchanged
from tests.sso_helpers import (
    IdP,
    configure_oidc,
    discover,
    identity_provider_url,
    idp_fixture,
    sign_in_at_idp,
    sign_in_through,
)

assert idp_fixture  # the identity providers, a fixture for the tests here

pytestmark = [pytest.mark.idp, pytest.mark.django_db]


@pytest.fixture
def acme(db: None) -> Account:
    return AccountFactory.create(name="Acme", slug="acme", email_domains="acme.example")


@pytest.fixture
def bluth(db: None) -> Account:
    return AccountFactory.create(name="Bluth", slug="bluth", email_domains="bluth.example")


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def test_a_first_sign_in_creates_the_person_with_the_role_their_groups_map_to(
    acme: Account, idp: IdP
) -> None:
    configure_oidc(acme, idp, role_mapping={"portal-champions": "champion"})
    client = Client()

    response = sign_in_through(client, "pat@acme.example", "pat")

    assert response.status_code == 302, response.content.decode()[:2000]
    user = signed_in_user(client)
    assert user is not None and user.email == "pat@acme.example"
    assert user.name == "Pat Champion"
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("account__slug", "role")) == [("acme", "champion")]
    assert user.emailaddress_set.get().verified  # type: ignore[attr-defined]
    assert SocialAccount.objects.get(user=user).provider == "sso-acme"
    assert Activity.objects.filter(account=acme, verb="joined through single sign-on").exists()
    # And the portal opens for them.
    assert account_page(client, "acme").status_code == 200


def test_a_first_sign_in_without_a_mapped_group_joins_as_a_member(acme: Account, idp: IdP) -> None:
    configure_oidc(acme, idp)
    client = Client()

    sign_in_through(client, "sam@acme.example", "sam")

    user = signed_in_user(client)
    assert user is not None
    assert list(user.memberships.values_list("role", flat=True)) == [CustomerRole.MEMBER]


def test_a_second_sign_in_is_the_same_person(acme: Account, idp: IdP) -> None:
    configure_oidc(acme, idp)
    sign_in_through(Client(), "sam@acme.example", "sam")
    client = Client()

    response = sign_in_through(client, "sam@acme.example", "sam")

    assert response.status_code == 302
    assert signed_in_user(client) == User.objects.get(email="sam@acme.example")
    assert User.objects.filter(email="sam@acme.example").count() == 1
    assert Membership.objects.filter(account=acme).count() == 1


def test_someone_already_in_the_portal_keeps_their_role_and_gets_only_this_account(
    acme: Account, bluth: Account, idp: IdP
) -> None:
    """Invited earlier as Acme's executive, and a member of Bluth: signing in through Acme's
    identity provider is them, with the role they have; no other account changes."""
    pat = MembershipFactory.create(
        account=acme, role=CustomerRole.EXECUTIVE, user__email="pat@acme.example"
    ).user
    other = AccountFactory.create(name="Initech", email_domains="initech.example")
    MembershipFactory.create(account=other, user=pat, role=CustomerRole.MEMBER)
    configure_oidc(acme, idp, role_mapping={"portal-champions": "champion"})
    client = Client()

    sign_in_through(client, "pat@acme.example", "pat")

    assert signed_in_user(client) == pat
    assert sorted(pat.memberships.values_list("account__slug", "role")) == [
        ("acme", "executive"),
        (other.slug, "member"),
    ]
    assert pat.has_usable_password()  # a verified address: nothing to wipe


# A refused sign-in still uses up the sign-in under way: allauth pops its state from the
# session (one use). Nothing else may change.
SIGN_IN_STATE = (Session,)


def refused(response: Any, words: str) -> None:
    assert response.status_code == 403, response.content.decode()[:2000]
    assert words in response.content.decode()


def sign_in_refused(client: Client, email: str, username: str) -> Any:
    """The sign-in goes all the way to the portal's callback; nothing in the portal changes."""
    from accounts.sso import sso_for_email

    sso = sso_for_email(email)
    assert sso is not None
    callback = sign_in_at_idp(discover(client, email), username)
    path, _, query = callback.removeprefix("http://testserver").partition("?")
    with unchanged(ignoring=SIGN_IN_STATE):
        response = client.get(f"{path}?{query}")
    assert signed_in_user(client) is None
    return response


@pytest.mark.parametrize(
    ("variant", "words", "cause"),
    [
        ("wrong_issuer", "wrong issuer", "InvalidIssuerError"),
        ("wrong_audience", "wrong audience", "InvalidAudienceError"),
        ("bad_signature", "bad signature", "InvalidSignatureError"),
    ],
)
def test_a_token_that_fails_allauths_checks_is_refused(
    variant: str,
    words: str,
    cause: str,
    acme: Account,
    idp: IdP,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each refusal comes from allauth's verification of the ID token (PyJWT's error, logged):
    iss against the discovery document's issuer, aud against the client ID, the signature
    against the identity provider's JWKS."""
    configure_oidc(acme, idp, client=variant)
    # Its own level: a Celery worker started earlier in the same process may have raised the
    # root logger's (and the tests' order differs on pytest-xdist workers).
    caplog.set_level(logging.WARNING, logger="accounts.sso")

    response = sign_in_refused(Client(), "pat@acme.example", "pat")

    refused(response, words)
    assert cause in caplog.text
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_the_same_sign_in_through_a_good_identity_provider_succeeds(
    acme: Account, idp: IdP
) -> None:
    """The control for the refusals above: only the token's flaw differs."""
    configure_oidc(acme, idp)
    client = Client()
    assert sign_in_through(client, "pat@acme.example", "pat").status_code == 302
    assert signed_in_user(client) is not None


def test_an_email_outside_the_accounts_domains_is_refused(acme: Account, idp: IdP) -> None:
    configure_oidc(acme, idp)
    # Home realm discovery would not send eve@elsewhere.example to Acme: start at Acme's.
    client = Client()
    start = client.post(reverse("openid_connect_login", args=["sso-acme"]))
    assert start.status_code == 302
    callback = sign_in_at_idp(start["Location"], "eve")
    with unchanged(ignoring=SIGN_IN_STATE):
        response = client.get(callback.removeprefix("http://testserver"))
    refused(response, "eve@elsewhere.example is not an address of Acme")
    assert signed_in_user(client) is None


def test_vendor_staff_never_sign_in_through_a_customers_identity_provider(
    acme: Account, idp: IdP
) -> None:
    staff = CSMFactory.create(email="ops@acme.example")
    configure_oidc(acme, idp)

    response = sign_in_refused(Client(), "ops@acme.example", "ops")

    refused(response, "Vendor staff sign in with their own login")
    assert not staff.memberships.exists()


def test_an_identity_provider_for_account_a_never_lets_anyone_into_account_b(
    acme: Account, bluth: Account, idp: IdP
) -> None:
    """Bluth signs in with single sign-on too, for bluth.example; Acme's identity provider
    vouching for bo@bluth.example gets Bo into neither."""
    configure_oidc(acme, idp)
    configure_oidc(bluth, idp)  # its own setup, another provider id
    client = Client()
    start = client.post(reverse("openid_connect_login", args=["sso-acme"]))
    callback = sign_in_at_idp(start["Location"], "bo")
    with unchanged(ignoring=SIGN_IN_STATE):
        response = client.get(callback.removeprefix("http://testserver"))

    refused(response, "bo@bluth.example is not an address of Acme")
    assert not Membership.objects.filter(account=bluth).exists()
    assert not User.objects.filter(email="bo@bluth.example").exists()


def test_a_deactivated_person_is_refused(acme: Account, idp: IdP) -> None:
    UserFactory.create(email="sam@acme.example", is_active=False)
    configure_oidc(acme, idp)

    response = sign_in_refused(Client(), "sam@acme.example", "sam")

    refused(response, "deactivated")


def test_a_switched_off_single_sign_on_answers_404(acme: Account, idp: IdP) -> None:
    from accounts.services import disable_sso

    sso = configure_oidc(acme, idp)
    disable_sso(sso, acting_user=AdminFactory.create())
    client = Client()

    assert client.get(reverse("openid_connect_login", args=["sso-acme"])).status_code == 404
    assert client.get(reverse("openid_connect_callback", args=["sso-acme"])).status_code == 404
    response = client.post(reverse("sso_discover"), {"email": "pat@acme.example"})
    assert response.status_code == 422
    assert "No company in the portal signs in with single sign-on" in response.content.decode()


def test_allauths_adapter_alone_would_take_the_forged_token(
    acme: Account, idp: IdP, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why accounts/oidc exists: allauth skips the signature of an ID token it fetched from the
    token endpoint itself. With its adapter in place of ours, the forged token gets in; so the
    refusal above is the portal's signature check."""
    from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

    monkeypatch.setattr("accounts.oidc.views.SignedIDTokenAdapter", OpenIDConnectOAuth2Adapter)
    configure_oidc(acme, idp, client="bad_signature")
    client = Client()

    assert sign_in_through(client, "pat@acme.example", "pat").status_code == 302
    assert signed_in_user(client) is not None


def test_an_identity_provider_that_does_not_answer_is_a_message_not_an_error(
    acme: Account,
) -> None:
    from tests.sso_helpers import IdP as Unreachable

    configure_oidc(acme, Unreachable(port=9))  # nothing listens on the discard port
    client = Client()

    with unchanged():
        response = client.post(reverse("sso_discover"), {"email": "pat@acme.example"})
    assert response.status_code == 422
    assert "Acme&#x27;s identity provider did not answer" in response.content.decode()
    response = client.post(reverse("openid_connect_login", args=["sso-acme"]))
    assert response.status_code == 502
    assert "did not answer" in response.content.decode()


def test_allauths_sign_in_page_continues_through_the_portals_redirect_page(
    acme: Account, idp: IdP
) -> None:
    """A GET of the provider's log-in URL asks first; its Continue goes on to the identity
    provider and the sign-in completes."""
    configure_oidc(acme, idp)
    client = Client()
    page = client.get(reverse("openid_connect_login", args=["sso-acme"])).content.decode()
    assert f'action="{reverse("sso_start")}"' in page
    assert 'name="provider" value="sso-acme"' in page

    url = identity_provider_url(client.post(reverse("sso_start"), {"provider": "sso-acme"}))
    callback = sign_in_at_idp(url, "sam")
    response = client.get(callback.removeprefix("http://testserver"))

    assert response.status_code == 302
    assert signed_in_user(client) == User.objects.get(email="sam@acme.example")

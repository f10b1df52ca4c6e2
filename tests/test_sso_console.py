"""The CS admin's single sign-on page for an account: set up, change, switch off; what the
customer's IT is given; the client secret never shown again."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from accounts.models import Account, AccountSSO, Activity, SSOProtocol
from tests.conftest import World, client_for
from tests.snapshot import unchanged
from tests.sso_helpers import saml_test_certificate

OIDC = {
    "protocol": "oidc",
    "server_url": "https://login.acme.example/realms/staff/",
    "client_id": "customer-portal",
    "client_secret": "very-secret-value-123",
    "group_claim": "groups",
    "role_mapping": "portal-champions = champion\nleadership: executive",
    "require_sso": "on",
}


@pytest.fixture
def acme(world: World) -> Account:
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example, acme.co.uk")
    world.account.refresh_from_db()
    return world.account


def url(account: Account) -> str:
    return reverse("account_sso", args=[account.slug])


def test_a_cs_admin_sets_up_openid_connect(world: World, acme: Account) -> None:
    client = client_for(world.admin)

    response = client.post(url(acme), OIDC)

    assert response.status_code == 302
    sso = AccountSSO.objects.select_related("app").get(account=acme)
    assert (sso.protocol, sso.enabled, sso.require_sso) == (SSOProtocol.OIDC, True, True)
    assert sso.role_mapping == {"portal-champions": "champion", "leadership": "executive"}
    assert sso.app.provider == "openid_connect"
    assert sso.app.provider_id == "sso-acme"
    assert sso.app.client_id == "customer-portal"
    assert sso.app.secret == "very-secret-value-123"
    assert sso.app.settings == {"server_url": "https://login.acme.example/realms/staff"}
    entry = Activity.objects.get(account=acme, verb="set up single sign-on")
    assert entry.actor == world.admin and entry.internal
    assert "very-secret-value-123" not in str(entry.after)


def test_the_page_gives_the_customers_it_what_they_need(world: World, acme: Account) -> None:
    page = client_for(world.admin).get(url(acme)).content.decode()
    assert "http://127.0.0.1:8000/auth/oidc/sso-acme/login/callback/" in page
    assert "http://127.0.0.1:8000/auth/saml/sso-acme/acs/" in page
    assert "http://127.0.0.1:8000/auth/saml/sso-acme/metadata/" in page
    assert "Not set up" in page


def test_the_client_secret_is_never_shown_and_blank_keeps_it(world: World, acme: Account) -> None:
    client = client_for(world.admin)
    client.post(url(acme), OIDC)

    page = client.get(url(acme)).content.decode()
    assert "very-secret-value-123" not in page
    assert "Stored. Leave blank to keep it." in page

    response = client.post(url(acme), {**OIDC, "client_secret": "", "require_sso": ""})
    assert response.status_code == 302
    sso = AccountSSO.objects.select_related("app").get(account=acme)
    assert sso.app.secret == "very-secret-value-123"
    assert not sso.require_sso
    assert Activity.objects.filter(account=acme, verb="changed single sign-on").exists()


def test_a_cs_admin_sets_up_saml(world: World, acme: Account) -> None:
    certificate = saml_test_certificate()
    pem = "-----BEGIN CERTIFICATE-----\n" + certificate + "\n-----END CERTIFICATE-----"
    response = client_for(world.admin).post(
        url(acme),
        {
            "protocol": "saml",
            "saml_entity_id": "https://sts.acme.example/adfs/services/trust",
            "saml_sso_url": "https://sts.acme.example/adfs/ls/",
            "saml_x509cert": pem,
        },
    )
    assert response.status_code == 302
    app = SocialApp.objects.get(account_sso__account=acme)
    assert (app.provider, app.provider_id, app.client_id) == ("saml", "sso-acme", "sso-acme")
    assert app.settings["advanced"] == {"allow_single_label_domains": True}
    assert app.settings["idp"] == {
        "entity_id": "https://sts.acme.example/adfs/services/trust",
        "sso_url": "https://sts.acme.example/adfs/ls/",
        "x509cert": certificate,
    }


BAD_POSTS: list[tuple[dict[str, Any], str]] = [
    ({**OIDC, "client_secret": ""}, "Enter this for the protocol chosen."),
    ({**OIDC, "server_url": ""}, "Enter this for the protocol chosen."),
    ({**OIDC, "server_url": "not a url"}, "Enter a valid URL."),
    ({**OIDC, "role_mapping": "portal-champions = boss"}, "Line 1"),
    ({**OIDC, "group_claim": ""}, "Name the claim the groups come in."),
    ({**OIDC, "protocol": "kerberos"}, "Select a valid choice."),
    ({"protocol": "saml", "saml_entity_id": "x", "saml_sso_url": "https://a.example/", "saml_x509cert": "bm90IGEgY2VydA=="}, "This is not an X.509 certificate."),
    ({"protocol": "saml", "saml_entity_id": "x"}, "Enter this for the protocol chosen."),
    ({}, "This field is required."),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD_POSTS)
def test_bad_input_is_a_422_that_says_why(
    world: World, acme: Account, data: dict[str, Any], message: str
) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(url(acme), data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_http_issuers_are_refused_in_production(world: World, acme: Account, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    client = client_for(world.admin)
    with unchanged():
        response = client.post(url(acme), {**OIDC, "server_url": "http://login.acme.example/"})
    assert response.status_code == 422
    assert "Enter an https:// address." in response.content.decode()


def test_an_account_without_domains_cannot_have_single_sign_on(world: World) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(url(world.account), OIDC)
    assert response.status_code == 422
    assert "Set the account&#x27;s allowed e-mail domains first" in response.content.decode()


def test_switching_off_keeps_the_setup(world: World, acme: Account) -> None:
    client = client_for(world.admin)
    client.post(url(acme), OIDC)

    response = client.post(reverse("account_sso_disable", args=[acme.slug]))

    assert response.status_code == 302
    sso = AccountSSO.objects.get(account=acme)
    assert not sso.enabled and sso.require_sso
    assert Activity.objects.filter(account=acme, verb="switched off single sign-on").exists()
    page = client.get(url(acme)).content.decode()
    assert "Save and switch on" in page
    # Saving switches it on again, the secret kept.
    assert client.post(url(acme), {**OIDC, "client_secret": ""}).status_code == 302
    assert AccountSSO.objects.get(account=acme).enabled


@pytest.mark.parametrize("persona", ["csm", "champion", "executive", "member"])
def test_nobody_but_cs_admins_configures_it(world: World, acme: Account, persona: str) -> None:
    client = client_for(world.persona(persona))
    with unchanged():
        assert client.post(url(acme), OIDC).status_code == 403
        assert client.get(url(acme)).status_code == 403


def test_the_account_page_links_it_for_cs_admins_only(world: World) -> None:
    home = reverse("account_home", args=[world.account.slug])
    assert url(world.account) in client_for(world.admin).get(home).content.decode()
    assert url(world.account) not in client_for(world.csm).get(home).content.decode()

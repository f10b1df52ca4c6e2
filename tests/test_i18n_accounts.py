"""A person's own pages and the account's forms in the reader's language: the profile page,
accepting an invitation (and its form's errors), the account form (a CSM's, and with errors),
the single sign-on setup (and its errors) and an embedded hub's refusal show no English left
in the pseudo-translation (tests/pseudo.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Account, Invitation
from accounts.services import invite
from tests.conftest import World, client_for
from tests.embed_helpers import EmbedSettingsFactory, sign
from tests.factories import PASSWORD, MembershipFactory
from tests.pseudo import english_left, english_left_on, pseudo_translation
from tests.sso_factories import AccountSSOFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
# Names of protocols, formats and standards: the same in every language.
TERMS = ["OpenID Connect", "SAML 2.0", "SAML", "openid profile email", "PEM", "X.509"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def names(world: World) -> list[str]:
    return ["Acme", world.champion.display_name, world.csm.display_name]


def posted(
    client: Client, path: str, data: dict[str, Any], *, allowed: list[str], status: int = 422
) -> list[str]:
    """POST ``data`` to ``path`` in the pseudo-translation (a form with errors answers 422);
    the English left on the answer."""
    with pseudo_translation() as language:
        response = client.post(path, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == status, response.status_code
        html = response.content.decode()
    return english_left(html, within="main", allowed=[settings.SITE_NAME, *allowed])


def invitation(world: World) -> Invitation:
    return invite(
        world.account,
        email="nina@customer.example",
        role="member",
        acting_user=world.csm,
        acting_role="csm",
    )


def test_the_profile_page_has_no_english_left(world: World) -> None:
    assert (
        english_left_on(client_for(world.champion), reverse("profile"), allowed=names(world)) == []
    )
    assert english_left_on(client_for(world.csm), reverse("profile"), allowed=names(world)) == []


def test_accepting_an_invitation_has_no_english_left_nor_in_its_errors(world: World) -> None:
    url = reverse("accept_invitation", args=[invitation(world).token])
    client = client_for(None)
    assert english_left_on(client, url, allowed=names(world)) == []
    data = {"name": "", "password1": "a-long-new-passphrase", "password2": "another-one-entirely"}
    assert posted(client, url, data, allowed=names(world)) == []


def test_an_invitation_used_already_says_so_with_no_english_left(world: World) -> None:
    used = invitation(world)
    Invitation.objects.filter(pk=used.pk).update(revoked_at=NOW)
    url = reverse("accept_invitation", args=[used.token])
    with pseudo_translation() as language:
        response = client_for(None).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 410
    allowed = [settings.SITE_NAME, *names(world)]
    assert english_left(response.content.decode(), within="main", allowed=allowed) == []


def test_the_account_form_has_no_english_left_for_a_csm_nor_in_its_errors(world: World) -> None:
    url = reverse("account_edit", args=["acme"])
    client = client_for(world.csm)
    # The owner menu's CSMs, and the domains field's example: data, not words.
    allowed = [*names(world), world.other_csm.display_name, "acme.com, acme.co.uk"]
    assert english_left_on(client, url, allowed=allowed) == []
    data = {
        "name": "Acme",
        "slug": "bluth",  # another account's address
        "segment": "nowhere",
        "touch_model": "low",
        "stage": "adoption",
        "brand_color": "#ffffee",  # too light
        "email_domains": "not a domain",
        "tags": ", ".join(f"tag{i}" for i in range(25)),
        "renewal_date": "someday",
    }
    assert posted(client, url, data, allowed=allowed) == []


def test_the_single_sign_on_page_has_no_english_left_nor_in_its_errors(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example")
    url = reverse("account_sso", args=["acme"])
    client = client_for(world.admin)
    allowed = [*names(world), *TERMS]
    assert english_left_on(client, url, allowed=allowed) == []
    data = {
        "protocol": "oidc",
        "server_url": "not an address",
        "saml_x509cert": "no certificate",
        "role_mapping": "admins = boss",
    }
    typed = [data["saml_x509cert"], data["role_mapping"]]  # shown back in their boxes
    assert posted(client, url, data, allowed=[*allowed, *typed]) == []


def test_the_single_sign_on_form_without_domains_says_why_with_no_english_left(
    world: World,
) -> None:
    url = reverse("account_sso", args=["acme"])
    data = {"protocol": "saml", "saml_entity_id": "https://idp.acme.example"}
    assert posted(client_for(world.admin), url, data, allowed=[*names(world), *TERMS]) == []


def test_a_log_in_refused_for_single_sign_on_says_why_with_no_english_left(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(email_domains="acme.example")
    AccountSSOFactory.create(account=world.account, require_sso=True)
    dana = MembershipFactory.create(account=world.account, user__email="dana@acme.example").user
    data = {"login": dana.email, "password": PASSWORD}
    left = posted(Client(), reverse("account_login"), data, allowed=names(world), status=200)
    assert left == []


def test_an_embedded_hubs_refusal_and_its_detail_have_no_english_left(world: World) -> None:
    EmbedSettingsFactory.create()
    for email_domains, sub, account in [
        ("acme.example", "someone@gmail.example", "acme"),  # not at the account's domains
        ("", "stranger@acme.example", "acme"),  # the account has no domains
        ("", world.champion.email, "no-such-account"),
    ]:
        Account.objects.filter(pk=world.account.pk).update(email_domains=email_domains)
        with pseudo_translation() as language:
            response = Client().get(
                "/embed/", {"token": sign(sub=sub, account=account)}, HTTP_ACCEPT_LANGUAGE=language
            )
        assert response.status_code == 403
        # The code to quote, the domain and the account's name as the token gave them: data.
        allowed = [settings.SITE_NAME, "wrong_account", "unknown_account", "no-such-account"]
        assert english_left(response.content.decode(), within="main", allowed=allowed) == []

"""An account that requires single sign-on: its people's password and code log-ins are
refused, with a message and a button that say how to sign in instead."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Account, User
from accounts.services import disable_sso
from tests.factories import PASSWORD, AccountFactory, AdminFactory, CSMFactory, MembershipFactory
from tests.snapshot import unchanged
from tests.sso_factories import AccountSSOFactory

MESSAGE = "Your company signs in with single sign-on: use ‘Sign in with Acme SSO’"


@pytest.fixture
def acme(db: None) -> Account:
    account = AccountFactory.create(name="Acme", slug="acme", email_domains="acme.example")
    AccountSSOFactory.create(account=account, require_sso=True)
    return account


def log_in(email: str) -> Any:
    return Client().post(reverse("account_login"), {"login": email, "password": PASSWORD})


def ask_for_code(email: str) -> Any:
    return Client().post(reverse("account_request_login_code"), {"email": email})


def test_a_password_log_in_is_refused_with_the_way_to_sign_in(acme: Account) -> None:
    dana = MembershipFactory.create(account=acme, user__email="dana@acme.example").user
    with unchanged(ignoring=(Session,)):
        response = log_in(dana.email)
    page = response.content.decode()
    assert response.status_code == 200
    assert MESSAGE in page
    # One click to the company's identity provider, with the address filled in.
    assert f'action="{reverse("sso_discover")}"' in page
    assert 'value="dana@acme.example"' in page
    assert "Sign in with Acme SSO</button>" in page
    assert "_auth_user_id" not in response.client.session


def test_the_password_is_not_even_checked(acme: Account) -> None:
    """Refused before the password is tried: a right and a wrong one read the same."""
    MembershipFactory.create(account=acme, user__email="dana@acme.example")
    wrong = Client().post(reverse("account_login"), {"login": "dana@acme.example", "password": "x"})
    assert MESSAGE in wrong.content.decode()


def test_a_log_in_code_is_refused_and_none_is_sent(acme: Account) -> None:
    MembershipFactory.create(account=acme, user__email="dana@acme.example")
    with unchanged(ignoring=(Session,)):
        response = ask_for_code("dana@acme.example")
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert mail.outbox == []


def test_a_member_at_another_domain_is_refused_too(acme: Account) -> None:
    """A contractor invited at their own address is one of Acme's people all the same."""
    MembershipFactory.create(account=acme, user__email="kim@contractor.example")
    assert MESSAGE in log_in("kim@contractor.example").content.decode()


def test_an_address_at_the_domain_is_refused_before_anyone_exists(acme: Account) -> None:
    assert MESSAGE in ask_for_code("newcomer@acme.example").content.decode()


def test_vendor_staff_at_the_domain_still_log_in_with_their_password(acme: Account) -> None:
    staff = CSMFactory.create(email="ops@acme.example")
    response = log_in(staff.email)
    assert response.status_code == 302
    assert response.client.session["_auth_user_id"] == str(staff.pk)


def test_people_of_other_accounts_log_in_as_before(acme: Account) -> None:
    other = MembershipFactory.create(
        account=AccountFactory.create(email_domains="bluth.example"), user__email="bo@bluth.example"
    ).user
    response = log_in(other.email)
    assert response.status_code == 302


def test_an_account_that_only_offers_single_sign_on_keeps_passwords(acme: Account) -> None:
    acme.sso.require_sso = False
    acme.sso.save()
    MembershipFactory.create(account=acme, user__email="dana@acme.example")
    assert log_in("dana@acme.example").status_code == 302


def test_switched_off_single_sign_on_lets_passwords_back_in(acme: Account) -> None:
    MembershipFactory.create(account=acme, user__email="dana@acme.example")
    disable_sso(acme.sso, acting_user=AdminFactory.create())
    assert log_in("dana@acme.example").status_code == 302
    assert ask_for_code("dana@acme.example").status_code == 302


def test_the_log_in_page_offers_the_company_sso_entry(db: None) -> None:
    page = Client().get(reverse("account_login")).content.decode()
    assert "Sign in with your company's SSO" in page
    assert f'href="{reverse("sso_discover")}"' in page


def test_the_log_in_page_lists_no_customers_identity_provider(acme: Account) -> None:
    """allauth would list every SocialApp; each is a customer's, so none is shown."""
    page = Client().get(reverse("account_login")).content.decode()
    assert "Acme" not in page
    assert "/auth/oidc/" not in page


def test_an_unknown_domain_gets_a_clear_message(acme: Account) -> None:
    with unchanged():
        response = Client().post(reverse("sso_discover"), {"email": "someone@nowhere.example"})
    assert response.status_code == 422
    assert "No company in the portal signs in with single sign-on" in response.content.decode()


def test_junk_in_the_discovery_form_is_a_422(db: None) -> None:
    for data in ({}, {"email": "not an address"}, {"email": "@"}, {"email": "x" * 500}):
        response = Client().post(reverse("sso_discover"), data)
        assert response.status_code == 422, data


def test_the_discovery_page_fills_in_the_address(db: None) -> None:
    response = Client().get(reverse("sso_discover"), {"email": "dana@acme.example"})
    assert response.status_code == 200
    assert 'value="dana@acme.example"' in response.content.decode()
    assert not User.objects.exists()


def test_discovery_is_rate_limited_per_address(acme: Account) -> None:
    """Each attempt may fetch an identity provider's discovery document: ten a minute per
    address, then a 429 that says so (and nothing is fetched)."""
    from django.core.cache import cache

    cache.clear()
    client = Client()
    data = {"email": "someone@nowhere.example"}
    for _ in range(10):
        assert client.post(reverse("sso_discover"), data).status_code == 422
    with unchanged():
        response = client.post(reverse("sso_discover"), data)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    cache.clear()

"""The single sign-on rules on their own: which account an address belongs to, the role a
first sign-in gets, and which addresses count as verified."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts.adapters import PortalSocialAccountAdapter
from accounts.models import Account, AccountSSO
from accounts.sso import sso_for_email
from tests.factories import AccountFactory
from tests.sso_factories import AccountSSOFactory


@pytest.fixture
def acme(db: None) -> Account:
    account = AccountFactory.create(name="Acme", email_domains="acme.example, acme.co.uk")
    AccountSSOFactory.create(account=account)
    return account


def test_an_address_finds_its_accounts_single_sign_on(acme: Account) -> None:
    assert sso_for_email("pat@acme.example") == acme.sso
    assert sso_for_email("Pat@ACME.co.uk") == acme.sso


@pytest.mark.parametrize(
    "email", ["eve@cme.example", "eve@notacme.example", "eve@acme.example.evil", "acme.example", ""]
)
def test_only_the_exact_domain_counts(acme: Account, email: str) -> None:
    assert sso_for_email(email) is None


def test_a_switched_off_single_sign_on_finds_nobody(acme: Account) -> None:
    AccountSSO.objects.filter(pk=acme.sso.pk).update(enabled=False)
    assert sso_for_email("pat@acme.example") is None


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([], "member"),
        (["everyone"], "member"),
        (["execs"], "executive"),
        (["execs", "champs"], "champion"),
        (["champs", "execs", "everyone"], "champion"),
    ],
)
def test_the_highest_mapped_role_wins(groups: list[str], role: str) -> None:
    sso = AccountSSO(role_mapping={"champs": "champion", "execs": "executive"})
    assert sso.role_for_groups(groups) == role


def test_addresses_are_verified_at_the_accounts_domains_only(acme: Account) -> None:
    adapter = PortalSocialAccountAdapter()
    provider = SimpleNamespace(sub_id=acme.sso.provider_id)
    assert adapter.is_email_verified(provider, "pat@acme.example")
    assert adapter.is_email_verified(provider, "pat@acme.co.uk")
    assert not adapter.is_email_verified(provider, "pat@elsewhere.example")
    assert not adapter.is_email_verified(SimpleNamespace(sub_id="google"), "pat@acme.example")

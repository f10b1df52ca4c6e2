"""Factories for single sign-on (accounts.models.AccountSSO and its allauth SocialApp)."""

from __future__ import annotations

import factory
from allauth.socialaccount.models import SocialApp

from accounts.models import AccountSSO, SSOProtocol
from tests.factories import AccountFactory


class SocialAppFactory(factory.django.DjangoModelFactory[SocialApp]):
    class Meta:
        model = SocialApp

    provider = "openid_connect"
    provider_id = factory.Sequence(lambda n: f"sso-test-{n}")
    name = "Customer SSO"
    client_id = "portal"
    secret = "s3cret-not-used"
    settings = factory.LazyFunction(lambda: {"server_url": "http://127.0.0.1:9/o"})


class AccountSSOFactory(factory.django.DjangoModelFactory[AccountSSO]):
    """An account's OpenID Connect single sign-on (its identity provider unreachable: set
    ``app__settings`` to a running one)."""

    class Meta:
        model = AccountSSO

    account = factory.SubFactory(AccountFactory, email_domains="customer.example")
    protocol = SSOProtocol.OIDC
    app = factory.SubFactory(
        SocialAppFactory,
        provider_id=factory.LazyAttribute(lambda o: f"sso-{o.factory_parent.account.slug}"),
    )
    enabled = True

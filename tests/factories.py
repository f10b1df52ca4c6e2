"""Factories for the people and accounts the tests use.

Typed code builds with ``XFactory.create(...)``, which the checker knows returns the model
(calling ``XFactory(...)`` does the same at run time, but reads as a factory to mypy)."""

from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import (
    Account,
    CustomerRole,
    Membership,
    PortalVisit,
    Segment,
    Stage,
    User,
    VendorRole,
)

PASSWORD = "correct-horse-battery-staple"


def _verify_email(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    if create:
        from allauth.account.models import EmailAddress

        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@customer.example")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # Called with the new user, after the password is set.
    verified = factory.post_generation(_verify_email)


class CSMFactory(UserFactory):
    email = factory.Sequence(lambda n: f"csm{n}@vendor.example")
    vendor_role = VendorRole.CSM


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@vendor.example")
    vendor_role = VendorRole.ADMIN


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    segment = Segment.MID_MARKET
    stage = Stage.ONBOARDING
    owner = factory.SubFactory(CSMFactory)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = CustomerRole.MEMBER


class PortalVisitFactory(factory.django.DjangoModelFactory[PortalVisit]):
    """A day on which a customer opened their account's portal."""

    class Meta:
        model = PortalVisit

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    day = factory.LazyFunction(timezone.localdate)
    page_views = 1
    logins = 0
    last_seen_at = factory.LazyFunction(timezone.now)

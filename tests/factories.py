"""Factories for the people and accounts the tests use."""

from __future__ import annotations

import factory

from accounts.models import Account, CustomerRole, Membership, Segment, Stage, User, VendorRole

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@customer.example")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from allauth.account.models import EmailAddress

            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CSMFactory(UserFactory):
    email = factory.Sequence(lambda n: f"csm{n}@vendor.example")
    vendor_role = VendorRole.CSM


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@vendor.example")
    vendor_role = VendorRole.ADMIN


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    segment = Segment.MID_MARKET
    stage = Stage.ONBOARDING
    owner = factory.SubFactory(CSMFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = CustomerRole.MEMBER

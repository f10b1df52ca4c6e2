"""Factories for self-join (accounts.join)."""

from __future__ import annotations

import factory

from accounts.models import JoinRequest
from tests.factories import AccountFactory


class JoinRequestFactory(factory.django.DjangoModelFactory[JoinRequest]):
    """A confirmed request to join, waiting for a champion's answer."""

    class Meta:
        model = JoinRequest

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"asker{n}@customer.example")
    name = factory.Faker("name")
    message = "I run the analytics team and need the dashboards."
    status = JoinRequest.Status.PENDING

"""Behind the load balancer in front of several web machines, per-address rate limits count the
client's address (``TRUSTED_PROXY_COUNT``), not the proxy's that every request comes from."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_requests_an_hour_per_address(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "join_request": "2/h/ip"}
    cache.clear()


def ask(forwarded_for: str, email: str) -> int:
    response = Client().post(
        "/join/", {"email": email, "name": "Asker"}, HTTP_X_FORWARDED_FOR=forwarded_for
    )
    return response.status_code


def test_with_one_trusted_proxy_each_client_address_has_its_own_count(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # What the client put in front is not believed: the proxy's own entry, the last, counts.
    first = [ask(f"198.51.100.{n}, 203.0.113.5", f"a{n}@newco.example") for n in range(3)]
    assert first == [303, 303, 429]
    assert ask("203.0.113.6", "b@newco.example") == 303


def test_without_it_the_address_the_request_came_from_counts(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    asked = [ask(f"203.0.113.{n}", f"c{n}@newco.example") for n in range(3)]
    assert asked == [303, 303, 429]  # all from the test client's one address

"""Junk in what the account, portfolio, people and staff views read from the query string or
the form: a 4xx with a message, never a 500, and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.snapshot import unchanged

JUNK = ["abc", "-1", "0", "1e9", "99999999999999999999", "", "%00", "😀"]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("parameter", ["q", "segment", "stage", "owner", "sort", "page"])
def test_the_portfolio_answers_junk_filters_without_a_server_error(
    world: World, parameter: str, junk: str
) -> None:
    for persona in ["csm", "admin"]:
        response = client_for(world.persona(persona)).get(reverse("portfolio"), {parameter: junk})
        assert response.status_code in (200, 404, 422), (persona, parameter, junk)


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize(
    ("url_name", "field", "persona"),
    [
        ("people_invite", "role", "champion"),
        ("people_invite", "email", "csm"),
        ("staff_add", "vendor_role", "admin"),
        ("staff_add", "email", "admin"),
        ("account_create", "owner", "admin"),
        ("account_create", "renewal_date", "csm"),
        ("account_edit", "brand_color", "csm"),
        ("notifications", "tasks", "champion"),
    ],
)
def test_forms_refuse_junk_with_a_4xx_and_change_nothing(
    world: World, url_name: str, field: str, persona: str, junk: str
) -> None:
    args = [] if url_name in ("staff_add", "account_create", "notifications") else ["acme"]
    client = client_for(world.persona(persona))
    with unchanged():
        response = client.post(reverse(url_name, args=args), {field: junk})
    assert 400 <= response.status_code < 500, (url_name, field, junk, response.status_code)

"""Every insights page that reads an id or a number from the URL, the query string or a form
answers junk with a 404 or a 422 (with its message), never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from insights.models import AccountFacts, ApiKey, HealthConfig, HealthScore
from tests.conftest import World, client_for
from tests.insights_helpers import insights_db_state, usage_csv

HUGE = "9" * 30  # past any database's integer
WEIGHTS = {
    "usage_weight": "30",
    "sentiment_weight": "20",
    "onboarding_weight": "15",
    "plan_weight": "15",
    "renewal_weight": "10",
    "pulse_weight": "10",
    "healthy_from": "70",
    "at_risk_from": "40",
}


def state() -> tuple[Any, ...]:
    return (
        *insights_db_state(),
        list(AccountFacts.objects.order_by("pk").values()),
        list(HealthConfig.objects.order_by("pk").values()),
        list(HealthScore.objects.order_by("pk").values()),
    )


# (persona, method, url, data, expected status); {key} is a live API key's id.
CASES: list[tuple[str, str, str, dict[str, Any], int]] = [
    # The book of business: the period and the CSM picked.
    ("csm", "get", "/book/", {"period": "decade"}, 422),
    ("csm", "get", "/book/", {"period": "<script>"}, 422),
    ("csm", "get", "/book/", {"owner": "abc"}, 422),
    ("csm", "get", "/book/", {"owner": "-1"}, 422),
    ("csm", "get", "/book/", {"owner": "1.5"}, 422),
    ("csm", "get", "/book/", {"owner": HUGE}, 422),
    ("csm", "get", "/book/", {"owner": "{other_csm}"}, 422),  # not a CSM of their book
    ("admin", "get", "/book/", {"owner": "{champion}"}, 422),  # not a CSM at all
    ("admin", "get", "/book/", {"owner": "0x10"}, 422),
    # The 360° page and the pulse.
    ("csm", "get", "/a/no-such-account/360/", {}, 404),
    ("csm", "post", "/a/no-such-account/pulse/", {"pulse": "good", "pulse_note": "x"}, 404),
    ("csm", "post", "/a/acme/pulse/", {"licensed_seats": "abc"}, 422),
    ("csm", "post", "/a/acme/pulse/", {"licensed_seats": "-1"}, 422),
    ("csm", "post", "/a/acme/pulse/", {"licensed_seats": "1e3"}, 422),
    ("csm", "post", "/a/acme/pulse/", {"licensed_seats": "NaN"}, 422),
    ("csm", "post", "/a/acme/pulse/", {"licensed_seats": HUGE}, 422),
    ("csm", "post", "/a/acme/pulse/", {"pulse": "ecstatic", "pulse_note": "x"}, 422),
    # Health settings.
    ("admin", "post", "/console/health/", {**WEIGHTS, "usage_weight": "abc"}, 422),
    ("admin", "post", "/console/health/", {**WEIGHTS, "usage_weight": "1.5"}, 422),
    ("admin", "post", "/console/health/", {**WEIGHTS, "usage_weight": HUGE}, 422),
    ("admin", "post", "/console/health/", {**WEIGHTS, "healthy_from": "-5"}, 422),
    ("admin", "post", "/console/health/", {**WEIGHTS, "at_risk_from": ""}, 422),
    ("admin", "post", "/console/health/", {}, 422),
    # API keys: the id in the path, the scopes in the form.
    ("admin", "get", "/console/api-keys/abc/", {}, 404),
    ("admin", "get", f"/console/api-keys/{HUGE}/", {}, 404),
    ("admin", "post", f"/console/api-keys/{HUGE}/revoke/", {}, 404),
    ("admin", "post", "/console/api-keys/0/revoke/", {}, 404),
    ("admin", "post", "/console/api-keys/-1/revoke/", {}, 404),
    ("admin", "post", "/console/api-keys/{key}x/revoke/", {}, 404),
    ("admin", "post", "/console/api-keys/new/", {"name": "x", "scopes": ["everything"]}, 422),
    (
        "admin",
        "post",
        "/console/api-keys/new/",
        {"name": "x" * 101, "scopes": ["write_usage"]},
        422,
    ),
    # The CSV import: the kind, the upload's id.
    ("csm", "post", "/console/import/", {"kind": "people", "file": "usage.csv"}, 422),
    ("csm", "post", "/console/import/", {"kind": "usage"}, 422),
    ("csm", "post", "/console/import/abc/confirm/", {}, 404),
    ("csm", "post", f"/console/import/{HUGE}/confirm/", {}, 404),
    ("csm", "get", "/console/import/abc/", {}, 404),
]


@pytest.mark.parametrize(
    "persona,method,url,data,expected",
    CASES,
    ids=[
        f"{m}-{u}-{'&'.join(f'{k}={str(v)[:12]}' for k, v in d.items())}" for _, m, u, d, _ in CASES
    ],
)
def test_junk_is_a_4xx_and_changes_nothing(
    world: World, persona: str, method: str, url: str, data: dict[str, Any], expected: int
) -> None:
    key, _ = ApiKey.issue(name="Sync", scopes=["write_usage"], created_by=world.admin)
    ids = {"other_csm": world.other_csm.pk, "champion": world.champion.pk, "key": key.pk}
    url = url.format(**ids)
    data = {name: str(value).format(**ids) if isinstance(value, str) else value
            for name, value in data.items()}  # fmt: skip
    if data.get("file") == "usage.csv":
        data["file"] = SimpleUploadedFile("usage.csv", usage_csv("acme"))
    client = client_for(world.persona(persona))
    before = state()
    response = getattr(client, method)(url, data)
    assert response.status_code == expected, response.content[:500]
    assert state() == before


def test_the_book_says_what_was_wrong_with_its_filters(world: World) -> None:
    response = client_for(world.csm).get("/book/", {"period": "decade"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Select a valid choice" in page and "this quarter" in page
    assert response.context["book"].revenue_now.arr == 0  # the page still shows the book


@pytest.mark.parametrize("query", [{}, {"period": "year"}, {"period": "ytd", "owner": ""}])
def test_good_filters_are_a_200(world: World, query: dict[str, str]) -> None:
    assert client_for(world.csm).get("/book/", query).status_code == 200


def test_the_admin_may_pick_any_csm_with_accounts(world: World) -> None:
    client = client_for(world.admin)
    response = client.get("/book/", {"owner": world.other_csm.pk})
    assert response.status_code == 200
    assert response.context["owner"] == world.other_csm
    assert [a.name for a in response.context["book"].quiet.rows] == ["Bluth"]

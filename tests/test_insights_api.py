"""The REST API: keys, scopes, bad input that writes nothing, upserts, bulk, rate limit, schema,
figures, and schemathesis against the served schema."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from accounts.models import Activity
from insights.models import ApiKey, Contract, ProductUser, UsageDay, UsageEvent
from insights.services.usage import roll_up
from tests.conftest import World, client_for
from tests.insights_helpers import bearer, insights_db_state, make_key, post_json

USAGE = "/api/v1/usage"
CONTRACTS = "/api/v1/contracts"
USERS = "/api/v1/users"


# Every test runs on 13 May 2026 at noon (UTC): "yesterday" and "the future" never move.
@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def secret(world: World) -> str:
    return make_key(world.admin)


DAY = date(2026, 5, 13)  # the day every test runs on (see _on_a_fixed_day)


def yesterday() -> date:
    """Also right at import time, for rows built in parametrize lists."""
    return DAY - timedelta(days=1)


def usage_row(**fields: Any) -> dict[str, Any]:
    row = {
        "account": "acme",
        "user": "ann@acme.example",
        "day": yesterday().isoformat(),
        "feature": "reports",
        "count": 3,
    }
    return {**row, **fields}


def contract_row(**fields: Any) -> dict[str, Any]:
    row = {
        "account": "acme",
        "external_id": "C-1",
        "product": "Pro plan",
        "kind": "new",
        "starts_on": "2026-01-01",
        "ends_on": "2026-07-01",
        "recurring_value": "1000.00",
        "one_off_fees": "250",
    }
    return {**row, **fields}


def errors(response: Any) -> list[dict[str, str]]:
    return response.json()["errors"]


# Keys ----------------------------------------------------------------------------------------


def test_it_requires_a_key(world: World) -> None:
    response = post_json(Client(), USAGE, {"rows": [usage_row()]}, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert errors(response)[0]["field"] == "Authorization"
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer cp_deadbeef_nope", "Basic dXNlcjpwYXNz", "Bearer ", "cp_x_y"],
)
def test_it_refuses_a_wrong_key(world: World, secret: str, header: str) -> None:
    response = Client().post(
        USAGE,
        {"rows": [usage_row()]},
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 401
    assert not UsageEvent.objects.exists()


def test_it_refuses_a_key_with_the_right_prefix_and_a_wrong_secret(
    world: World, secret: str
) -> None:
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    response = post_json(Client(), USAGE, {"rows": [usage_row()]}, forged)
    assert response.status_code == 401
    assert not UsageEvent.objects.exists()


def test_it_refuses_a_revoked_key(world: World, secret: str) -> None:
    ApiKey.objects.update(revoked_at=timezone.now())
    response = post_json(Client(), USAGE, {"rows": [usage_row()]}, secret)
    assert response.status_code == 401
    assert errors(response) == [{"field": "Authorization", "message": "The API key was revoked."}]
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "url,body,scope",
    [
        (USAGE, {"rows": [usage_row()]}, "write_contracts"),
        (USERS, {"rows": [{"account": "acme", "external_id": "u1"}]}, "write_contracts"),
        (CONTRACTS, {"rows": [contract_row()]}, "write_usage"),
    ],
)
def test_it_refuses_a_key_without_the_scope(world: World, url: str, body: Any, scope: str) -> None:
    key = make_key(world.admin, [scope])
    before = insights_db_state()
    response = post_json(Client(), url, body, key)
    assert response.status_code == 403
    assert "scope" in errors(response)[0]["message"]
    assert insights_db_state() == before


def test_figures_need_the_read_scope(world: World) -> None:
    key = make_key(world.admin, ["write_usage", "write_contracts"])
    response = Client().get("/api/v1/accounts/acme/figures", **bearer(key))
    assert response.status_code == 403


def test_a_session_is_not_a_key(world: World) -> None:
    """Logged-in people of the portal have no access to the API through their cookie."""
    response = client_for(world.admin).get("/api/v1/accounts/acme/figures")
    assert response.status_code == 401


def test_it_notes_when_a_key_was_last_used_at_most_once_a_minute(
    world: World, secret: str, time_machine: Any
) -> None:
    client = Client()
    post_json(client, USAGE, {"rows": [usage_row()]}, secret)
    first = ApiKey.objects.get().last_used_at
    assert first == timezone.now()
    time_machine.shift(timedelta(seconds=50))
    post_json(client, USAGE, {"rows": [usage_row(count=4)]}, secret)
    assert ApiKey.objects.get().last_used_at == first  # not written again within the minute
    time_machine.shift(timedelta(seconds=20))
    post_json(client, USAGE, {"rows": [usage_row(count=5)]}, secret)
    assert ApiKey.objects.get().last_used_at == first + timedelta(seconds=70)


def test_it_answers_429_past_the_rate_limit(world: World, secret: str, settings: Any) -> None:
    settings.API_RATE_LIMIT = 3
    client = Client()
    codes = [
        post_json(client, USAGE, {"rows": [usage_row()]}, secret).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    response = post_json(client, USAGE, {"rows": [usage_row(count=9)]}, secret)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert UsageEvent.objects.get().count == 3  # the refused request wrote nothing
    # Each key has its own limit.
    other = make_key(world.admin, name="Other integration")
    assert post_json(client, USAGE, {"rows": [usage_row()]}, other).status_code == 200


# Bad input writes nothing ------------------------------------------------------------------


def test_malformed_json_is_a_400(world: World, secret: str) -> None:
    response = Client().post(USAGE, '{"rows": [', content_type="application/json", **bearer(secret))
    assert response.status_code == 400
    assert errors(response)[0]["field"] == "body"
    assert not UsageEvent.objects.exists()


GOOD = usage_row(user="good@acme.example")


@pytest.mark.parametrize(
    "bad,field,message",
    [
        ({"count": -1}, "rows[1].count", "must be ≥ 0"),
        ({"count": "5"}, "rows[1].count", "must be a whole number"),
        ({"count": 2.5}, "rows[1].count", "must be a whole number"),
        ({"count": True}, "rows[1].count", "must be a whole number"),
        ({"count": 2**31}, "rows[1].count", "must be ≤ 2147483647"),
        ({"day": "yesterday"}, "rows[1].day", "must be a date like 2026-01-31"),
        ({"day": "2026-02-30"}, "rows[1].day", "must be a date like 2026-01-31"),
        (
            {"day": "2026-05-14"},  # tomorrow
            "rows[1].day",
            "must not be in the future",
        ),
        ({"account": "nobody"}, "rows[1].account", "is not an account you may write to"),
        ({"account": 7}, "rows[1].account", "must be text"),
        ({"feature": ""}, "rows[1].feature", "must not be empty"),
        ({"feature": "x" * 101}, "rows[1].feature", "must be at most 100 characters"),
        ({"user": "nul\x00byte"}, "rows[1].user", "must not contain NUL characters"),
        ({"feature": "lone\ud800"}, "rows[1].feature", "must be valid Unicode text"),
        ({"colour": "red"}, "rows[1].colour", "is not a known field"),
    ],
)
def test_a_bad_usage_row_writes_nothing(
    world: World, secret: str, bad: dict[str, Any], field: str, message: str
) -> None:
    before = insights_db_state()
    response = post_json(Client(), USAGE, {"rows": [GOOD, usage_row(**bad), GOOD]}, secret)
    assert response.status_code == 422, response.content
    assert errors(response) == [{"field": field, "message": message}]
    assert insights_db_state() == before


def test_a_missing_field_is_named(world: World, secret: str) -> None:
    row = usage_row()
    del row["count"]
    response = post_json(Client(), USAGE, {"rows": [row]}, secret)
    assert errors(response) == [{"field": "rows[0].count", "message": "is required"}]


@pytest.mark.parametrize("body", [[], {}, {"rows": []}, {"rows": "all"}, {"rows": [1]}, "x", None])
def test_a_body_of_the_wrong_shape_is_a_422(world: World, secret: str, body: Any) -> None:
    response = Client().post(
        USAGE, json.dumps(body), content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 422
    assert errors(response)
    assert not UsageEvent.objects.exists()


def test_every_bad_row_is_reported(world: World, secret: str) -> None:
    rows = [usage_row(count=-1), GOOD, usage_row(account="nope"), usage_row(day="x")]
    response = post_json(Client(), USAGE, {"rows": rows}, secret)
    fields = {e["field"] for e in errors(response)}
    assert {"rows[0].count", "rows[3].day"} <= fields
    # Account look-ups come after the types: a row with wrong types is reported by those first.
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"ends_on": "2026-01-01"}, "rows[0].ends_on"),
        ({"recurring_value": "-1"}, "rows[0].recurring_value"),
        ({"recurring_value": "12.345"}, "rows[0].recurring_value"),
        ({"recurring_value": "lots"}, "rows[0].recurring_value"),
        ({"recurring_value": "NaN"}, "rows[0].recurring_value"),
        ({"kind": "upsell"}, "rows[0].kind"),
        ({"term_months": 0}, "rows[0].term_months"),
        ({"currency": "euro"}, "rows[0].currency"),
        ({"account": "bluthx"}, "rows[0].account"),
        ({"ends_on": "2060-01-01"}, "rows[0].ends_on"),  # longer than 240 months
    ],
)
def test_a_bad_contract_writes_nothing(
    world: World, secret: str, bad: dict[str, Any], field: str
) -> None:
    response = post_json(
        Client(),
        CONTRACTS,
        {"rows": [contract_row(**bad), contract_row(external_id="C-2")]},
        secret,
    )
    assert response.status_code == 422, response.content
    assert [e["field"] for e in errors(response)] == [field]
    assert not Contract.objects.exists()


DATE_LIKE = "must be a date like 2026-01-31"


@pytest.mark.parametrize("value", [0, "0", 0.0, 1767225600, "1767225600", "20260101", True])
@pytest.mark.parametrize(
    "url,row,field",
    [
        (USAGE, usage_row, "day"),
        (CONTRACTS, contract_row, "starts_on"),
        (CONTRACTS, contract_row, "ends_on"),
    ],
)
def test_a_date_is_only_an_iso_date_string(
    world: World, secret: str, url: str, row: Any, field: str, value: Any
) -> None:
    """0 is not 1 January 1970, nor a timestamp a day: the field is named, nothing written."""
    before = insights_db_state()
    response = post_json(Client(), url, {"rows": [row(**{field: value})]}, secret)
    assert response.status_code == 422, response.content
    assert errors(response) == [{"field": f"rows[0].{field}", "message": DATE_LIKE}]
    assert insights_db_state() == before


def test_a_date_with_a_time_is_not_a_day(world: World, secret: str) -> None:
    response = post_json(
        Client(), USAGE, {"rows": [usage_row(day=f"{yesterday().isoformat()}T00:00:00")]}, secret
    )
    assert errors(response) == [{"field": "rows[0].day", "message": DATE_LIKE}]
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize("field", ["as_of", "start"])
@pytest.mark.parametrize("value", ["0", "1767225600", "2026-01-01T00:00:00", "soon"])
def test_the_figures_period_takes_only_iso_dates(world: World, field: str, value: str) -> None:
    key = make_key(world.admin, ["read_figures"])
    response = Client().get(f"/api/v1/accounts/acme/figures?{field}={value}", **bearer(key))
    assert response.status_code == 422
    assert errors(response) == [{"field": field, "message": DATE_LIKE}]


def test_a_bad_user_writes_nothing(world: World, secret: str) -> None:
    rows = [
        {"account": "acme", "external_id": "u1"},
        {"account": "acme", "external_id": "u2", "email": "no"},
    ]
    response = post_json(Client(), USERS, {"rows": rows}, secret)
    assert response.status_code == 422
    assert errors(response) == [{"field": "rows[1].email", "message": "must be an e-mail address"}]
    assert not ProductUser.objects.exists()


# Upserts -------------------------------------------------------------------------------------


def test_usage_upserts_are_idempotent(world: World, secret: str) -> None:
    client = Client()
    body = {"rows": [usage_row(), usage_row(feature="exports", count=1)]}
    assert post_json(client, USAGE, body, secret).json() == {"rows": 2}
    assert post_json(client, USAGE, body, secret).json() == {"rows": 2}
    assert UsageEvent.objects.count() == 2
    post_json(client, USAGE, {"rows": [usage_row(count=7)]}, secret)
    assert UsageEvent.objects.get(feature="reports").count == 7  # replaced, not added


def test_a_key_sent_twice_in_one_request_keeps_the_last_count(world: World, secret: str) -> None:
    body = {"rows": [usage_row(count=1), usage_row(count=2)]}
    assert post_json(Client(), USAGE, body, secret).json() == {"rows": 1}
    assert UsageEvent.objects.get().count == 2


def test_contract_upserts_by_external_id(world: World, secret: str) -> None:
    client = Client()
    assert post_json(client, CONTRACTS, {"rows": [contract_row()]}, secret).status_code == 200
    contract = Contract.objects.get()
    assert contract.term_months == 6  # from the dates
    assert contract.mrr.quantize(Decimal("0.01")) == Decimal("166.67")  # DESIGN.md's example
    assert contract.one_off_fees == Decimal(250)
    changed = contract_row(recurring_value="1200", kind="renewal", term_months=12)
    assert post_json(client, CONTRACTS, {"rows": [changed]}, secret).status_code == 200
    contract = Contract.objects.get()
    assert (contract.recurring_value, contract.kind, contract.term_months) == (
        Decimal(1200),
        "renewal",
        12,
    )


def test_user_upserts_by_external_id(world: World, secret: str) -> None:
    client = Client()
    row = {"account": "acme", "external_id": "u1", "email": "ann@acme.example", "name": "Ann"}
    post_json(client, USERS, {"rows": [row]}, secret)
    post_json(client, USERS, {"rows": [{**row, "name": "Ann Smith"}]}, secret)
    assert list(ProductUser.objects.values_list("external_id", "name")) == [("u1", "Ann Smith")]


def test_a_push_of_ten_thousand_usage_rows_works(world: World, secret: str) -> None:
    day = yesterday().isoformat()
    rows = [
        {
            "account": "acme",
            "user": f"u{n % 500}",
            "day": day,
            "feature": f"f{n // 500}",
            "count": n,
        }
        for n in range(10_000)
    ]
    response = post_json(Client(), USAGE, {"rows": rows}, secret)
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"rows": 10_000}
    assert UsageEvent.objects.count() == 10_000


def test_a_usage_push_queues_the_roll_up(
    world: World, secret: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_json(Client(), USAGE, {"rows": [usage_row()]}, secret)
    assert UsageDay.objects.filter(account=world.account, day=yesterday()).get().active_users == 1


# Figures ---------------------------------------------------------------------------------------


def test_figures_of_an_account(world: World) -> None:
    key = make_key(world.admin, ["read_figures"])
    today = timezone.localdate()
    Contract.objects.create(
        account=world.account,
        external_id="C-1",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=150),
        recurring_value=Decimal(1000),
        term_months=6,
    )
    UsageEvent.objects.create(
        account=world.account, user_key="ann", day=today, feature="reports", count=2
    )
    roll_up([world.account.pk], [today])
    response = Client().get("/api/v1/accounts/acme/figures", **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["account"] == "acme"
    assert body["currency"] == "EUR"
    assert body["revenue"] == {"mrr": "166.67", "arr": "2000.00", "paying": True}
    assert body["period"]["nrr_percent"] is None  # not paying a year ago: no data
    assert body["usage"]["dau"] == 1
    assert body["features"] == [{"feature": "reports", "users": 1, "adoption_percent": "100.0"}]


def test_figures_name_the_portals_currency(world: World, settings: Any) -> None:
    settings.CURRENCY = "USD"
    key = make_key(world.admin, ["read_figures"])
    body = Client().get("/api/v1/accounts/acme/figures", **bearer(key)).json()
    assert body["currency"] == "USD"


def test_figures_default_to_the_last_12_months_even_from_a_leap_day(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2028, 2, 29, 12, tzinfo=UTC), tick=False)
    key = make_key(world.admin, ["read_figures"])
    response = Client().get("/api/v1/accounts/acme/figures", **bearer(key))
    assert response.status_code == 200
    assert response.json()["period"]["start"] == "2027-02-28"


def test_figures_of_an_unknown_account_are_a_404(world: World) -> None:
    key = make_key(world.admin, ["read_figures"])
    response = Client().get("/api/v1/accounts/nobody/figures", **bearer(key))
    assert response.status_code == 404
    assert errors(response) == [{"field": "slug", "message": "No such account."}]


def test_figures_check_their_period(world: World) -> None:
    key = make_key(world.admin, ["read_figures"])
    url = "/api/v1/accounts/acme/figures?as_of=2026-01-01&start=2026-02-01"
    assert Client().get(url, **bearer(key)).status_code == 422
    response = Client().get("/api/v1/accounts/acme/figures?as_of=soon", **bearer(key))
    assert errors(response) == [{"field": "as_of", "message": "must be a date like 2026-01-31"}]


def test_figures_are_empty_for_an_account_without_data(world: World) -> None:
    key = make_key(world.admin, ["read_figures"])
    body = Client().get("/api/v1/accounts/bluth/figures", **bearer(key)).json()
    assert body["revenue"] == {"mrr": "0.00", "arr": "0.00", "paying": False}
    assert body["usage"] is None
    assert body["features"] == []


# Schema and docs ---------------------------------------------------------------------------


def test_the_schema_is_served(db: None) -> None:
    response = Client().get(reverse("api_v1:openapi-json"))
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/usage", "/api/v1/contracts", "/api/v1/users"} <= set(schema["paths"])
    assert "/api/v1/accounts/{slug}/figures" in schema["paths"]
    assert schema["components"]["securitySchemes"]["KeyAuth"]["scheme"] == "bearer"


# ... and the integrations app's webhook endpoints (tests/test_webhooks_api.py).
WRITES = {"/api/v1/usage", "/api/v1/contracts", "/api/v1/users", "/api/v1/webhooks"}


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else node


def test_each_operation_documents_its_422_with_the_error_shape(db: None) -> None:
    schema = Client().get(reverse("api_v1:openapi-json")).json()
    writes = {path for path, ops in schema["paths"].items() if "post" in ops}
    assert writes == WRITES
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"]["422"]
            assert answer["description"] != "Unprocessable Entity", (method, path)
            content = answer["content"]["application/json"]
            shape = resolve(schema, content["schema"])
            assert shape["required"] == ["errors"]
            item = resolve(schema, shape["properties"]["errors"]["items"])
            assert set(item["required"]) == {"field", "message"}
            assert {item["properties"][n]["type"] for n in ("field", "message")} == {"string"}
            [example] = content["example"]["errors"]
            assert set(example) == {"field", "message"}
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)


def test_the_documented_422s_are_the_answers_the_api_gives(world: World, secret: str) -> None:
    """Each operation's example 422 is what it really answers to that mistake."""
    schema = Client().get(reverse("api_v1:openapi-json")).json()

    def example(path: str, method: str) -> list[dict[str, str]]:
        return schema["paths"][path][method]["responses"]["422"]["content"]["application/json"][
            "example"
        ]["errors"]

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = {
        USAGE: {"rows": [usage_row(day=tomorrow)]},  # in the future
        CONTRACTS: {"rows": [contract_row(starts_on="2026-07-01", ends_on="2026-01-01")]},
        USERS: {"rows": [{"account": "acme", "external_id": "u1", "email": "no"}]},
    }
    before = insights_db_state()
    for path, body in bad.items():
        response = post_json(Client(), path, body, secret)
        assert response.status_code == 422
        assert errors(response) == example(path, "post"), path
    assert insights_db_state() == before
    figures = "/api/v1/accounts/{slug}/figures"
    response = Client().get(
        "/api/v1/accounts/acme/figures?as_of=2026-01-01&start=2026-02-01", **bearer(secret)
    )
    assert errors(response) == example(figures, "get")
    response = Client().get("/api/v1/accounts/nobody/figures", **bearer(secret))
    assert response.status_code == 404
    assert "404" in schema["paths"][figures]["get"]["responses"]


def test_the_docs_say_what_each_refusal_means(db: None) -> None:
    html = Client().get(reverse("api_v1:openapi-view")).content.decode()
    assert "the end before the start is refused" in html
    assert "must be after starts_on" in html  # the example error


def test_the_docs_are_our_own_page_under_the_csp(db: None) -> None:
    response = Client().get(reverse("api_v1:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/usage" in html and "UsageRow" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # No inline script and nothing from elsewhere.
    assert "<script>" not in html and "<script type" not in html
    # (A random token may spell "cdn": look at what the page loads, not at every byte.)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "https://" not in html and not re.search(r"cdn[.-]", html.lower())


# Key management pages --------------------------------------------------------------------------


def test_an_admin_creates_a_key_and_sees_it_once(world: World) -> None:
    client = client_for(world.admin)
    response = client.post(
        reverse("api_key_create"), {"name": "Warehouse", "scopes": ["write_usage", "read_figures"]}
    )
    key = ApiKey.objects.get()
    assert response["Location"] == reverse("api_key_created", args=[key.pk])
    page = client.get(response["Location"])
    assert page["Cache-Control"] == "no-store"
    secret = page.context["secret"]
    assert secret.startswith(f"cp_{key.prefix}_") and ApiKey.hash(secret) == key.key_hash
    assert secret.encode() in page.content
    assert secret not in json.dumps(dict(client.session))  # gone from the session
    again = client.get(reverse("api_key_created", args=[key.pk]))
    assert again.status_code == 302
    assert secret.encode() not in client.get(reverse("api_keys")).content
    assert key.scopes == ["write_usage", "read_figures"]
    assert Activity.objects.filter(verb="created an API key", actor=world.admin).exists()
    # And the key works.
    assert post_json(Client(), USAGE, {"rows": [usage_row()]}, secret).status_code == 200


def test_a_key_needs_a_name_and_a_scope(world: World) -> None:
    response = client_for(world.admin).post(reverse("api_key_create"), {"name": ""})
    assert response.status_code == 422
    assert not ApiKey.objects.exists()


def test_an_admin_revokes_a_key(world: World, secret: str) -> None:
    key = ApiKey.objects.get()
    client = client_for(world.admin)
    assert client.post(reverse("api_key_revoke", args=[key.pk])).status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    assert Activity.objects.filter(verb="revoked an API key").count() == 1
    client.post(reverse("api_key_revoke", args=[key.pk]))  # twice: logged once
    assert Activity.objects.filter(verb="revoked an API key").count() == 1
    assert post_json(Client(), USAGE, {"rows": [usage_row()]}, secret).status_code == 401
    assert "Revoked" in client.get(reverse("api_keys")).content.decode()


def test_a_csm_cannot_manage_keys(world: World, secret: str) -> None:
    client = client_for(world.csm)
    assert client.get(reverse("api_keys")).status_code == 403
    key = ApiKey.objects.get()
    assert client.post(reverse("api_key_revoke", args=[key.pk])).status_code == 403
    assert ApiKey.objects.get().revoked_at is None


# Schemathesis ----------------------------------------------------------------------------------


@pytest.fixture
def wsgi_app() -> Any:
    """The real WSGI app, in this test's transaction: a request's end must not close the
    connection (Django's test client detaches the same signal handler)."""
    from django.core import signals
    from django.db import close_old_connections

    from portal.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error(world: World, secret: str, wsgi_app: Any) -> None:
    """Generated requests, valid and not, to every operation of the served schema, with a key
    that has every scope: no 5xx, and every answer matches the schema."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {secret}"}
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) == 4 + 5 + 2  # the webhook endpoints, the handover
    statuses: Counter[tuple[str, str, int]] = Counter()

    def to_acme(case: Any) -> Any:
        """Point generated rows and paths at a real account, so that valid data reaches the
        writes and the figures, not only the unknown-account check."""
        if isinstance(case.body, dict) and isinstance(case.body.get("rows"), list):
            for row in case.body["rows"]:
                if isinstance(row, dict) and "account" in row:
                    row["account"] = "acme"
                if isinstance(row, dict) and "starts_on" in row:  # a term that can be
                    row.update(starts_on="2026-01-01", ends_on="2026-07-01")
                for money in ("recurring_value", "one_off_fees"):
                    # The schema's decimal pattern lets through strings like "0." that the
                    # model refuses: give positive cases a plain decimal.
                    value = row.get(money) if isinstance(row, dict) else None
                    if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                        row[money] = "1200.00"
        if case.path_parameters and "slug" in case.path_parameters:
            case.path_parameters["slug"] = "acme"
        return case

    for operation in operations:
        for mode, checks in [
            (
                GenerationMode.POSITIVE,
                [not_a_server_error, status_code_conformance, response_schema_conformance],
            ),
            (GenerationMode.NEGATIVE, [not_a_server_error, status_code_conformance]),
        ]:
            strategy = operation.as_strategy(generation_mode=mode)
            if mode == GenerationMode.POSITIVE:
                strategy = strategy.map(to_acme)
            fuzz(strategy, mode.value, checks, headers, statuses)
    assert not any(status >= 500 for _, _, status in statuses)
    # Valid data got through to the database, and bad data was refused.
    assert statuses["POST /api/v1/usage", "positive", 200] > 0, statuses
    assert statuses["POST /api/v1/contracts", "positive", 200] > 0, statuses
    assert statuses["GET /api/v1/accounts/{slug}/figures", "positive", 200] > 0, statuses
    assert sum(
        n for (_, mode, status), n in statuses.items() if mode == "negative" and status == 422
    )


def fuzz(
    strategy: Any,
    mode: str,
    checks: list[Any],
    headers: dict[str, str],
    statuses: Counter[tuple[str, str, int]],
) -> None:
    """Send a bounded number of generated cases, the same ones on every run."""
    from hypothesis import HealthCheck, Phase, settings

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        cache.clear()  # this is not the rate-limit test
        response = case.call(headers=headers)
        statuses[(case.operation.label, mode, response.status_code)] += 1
        case.validate_response(response, checks=checks)

    run()

"""PUT and GET /api/v1/accounts/{slug}/handover: the sales system sends an account's handover
with a key; bad input is a 4xx naming the field, and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Activity, Notification
from handover.models import Handover, HandoverObjective, HandoverStatus
from insights.models import ApiKey
from tests.conftest import World
from tests.handover_factories import make_handover
from tests.insights_helpers import bearer, make_key
from tests.snapshot import unchanged


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC), tick=False)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def secret(world: World) -> str:
    return make_key(world.admin, [ApiKey.Scope.WRITE_HANDOVER], name="Salesforce sync")


def url(slug: str = "acme") -> str:
    return f"/api/v1/accounts/{slug}/handover"


def body(**fields: Any) -> dict[str, Any]:
    return {
        "expectations": "Close the books in two days.",
        "challenges": "Forty carriers.",
        "objectives": [
            {"title": "Every invoice in one place", "why": "Four inboxes today.", "measure": "%"},
            {"title": "Settle disputes in a week"},
        ],
        "stakeholders": [
            {"name": "Eli Brooks", "title": "CFO", "deal_role": "Signer",
             "email": "eli@acme.example", "influence": "decision_maker"},
        ],
        "promises": [{"promise": "SSO before go-live", "by": "Jordan", "due": "2026-12-01"}],
        "deal": {"closed_on": "2026-10-01", "amount": "48000.00", "sales_owner": "Jordan",
                 "source_id": "006-ACME"},
        **fields,
    }  # fmt: skip


def put(secret: str | None, data: Any, slug: str = "acme") -> Any:
    payload = data if isinstance(data, str) else json.dumps(data)
    if secret:
        return Client().put(url(slug), payload, content_type="application/json", **bearer(secret))
    return Client().put(url(slug), payload, content_type="application/json")


def errors(response: Any) -> list[dict[str, str]]:
    return list(response.json()["errors"])


def test_a_new_handover_is_created_received_and_the_csm_told(world: World, secret: str) -> None:
    response = put(secret, body())
    assert response.status_code == 201, response.content
    handover = Handover.objects.get(account=world.account)
    assert handover.status == HandoverStatus.RECEIVED
    assert handover.received_from == "Salesforce sync"
    assert [o.title for o in handover.objectives.all()] == [
        "Every invoice in one place",
        "Settle disputes in a week",
    ]
    assert handover.stakeholders.get().influence == "decision_maker"
    assert str(handover.deal_amount) == "48000.00"
    assert response.json()["objectives"][0]["taken_into_plan"] is False
    note = Notification.objects.get(user=world.csm)
    assert note.title == "Handover received for Acme"
    assert note.url == "/a/acme/handover/"
    assert Activity.objects.filter(
        account=world.account, verb="received the handover", internal=True
    ).exists()


def test_sending_it_again_replaces_it_and_keeps_taken_objectives_taken(
    world: World, secret: str
) -> None:
    handover = make_handover(world, status=HandoverStatus.REVIEWED, objectives=0)
    taken = HandoverObjective.objects.create(
        handover=handover,
        title="Every invoice in one place",
        taken_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    response = put(secret, body())
    assert response.status_code == 200
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.RECEIVED  # to be reviewed again
    assert handover.reviewed_at is None
    taken.refresh_from_db()
    assert taken.taken_at is not None
    assert handover.objectives.count() == 2
    assert handover.stakeholders.count() == 1  # replaced, not added to


def test_get_reads_the_handover_back(world: World, secret: str) -> None:
    put(secret, body())
    response = Client().get(url(), **bearer(secret))
    assert response.status_code == 200
    data = response.json()
    assert data["account"] == "acme"
    assert data["deal"]["source_id"] == "006-ACME"
    assert data["promises"] == [
        {"promise": "SSO before go-live", "by": "Jordan", "due": "2026-12-01"}
    ]


def test_get_of_an_account_without_a_handover_is_a_404(world: World, secret: str) -> None:
    response = Client().get(url(), **bearer(secret))
    assert response.status_code == 404
    assert errors(response) == [{"field": "slug", "message": "This account has no handover."}]


@pytest.mark.parametrize(
    "data,field,message",
    [
        (body(objectives=[]), "objectives", ""),
        (body(objectives=[{"title": "   "}]), "objectives[0].title", "must not be empty"),
        (
            body(stakeholders=[{"name": "Eli", "email": "not-an-address"}]),
            "stakeholders[0].email",
            "must be an e-mail address",
        ),
        (
            body(stakeholders=[{"name": "Eli", "influence": "huge"}]),
            "stakeholders[0].influence",
            "",
        ),
        (body(owner="someone"), "owner", "is not a known field"),
        (body(deal={"amount": "-5"}), "deal.amount", ""),
        (body(deal={"closed_on": 20261001}), "deal.closed_on", "must be a date like 2026-01-31"),
        (body(objectives="Close the books"), "objectives", ""),
        (body(promises=[{"promise": "SSO", "due": "tomorrow"}]), "promises[0].due", ""),
        (
            body(objectives=[{"title": "Same"}, {"title": "same"}]),
            "objectives[1].title",
            "is named twice",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    world: World, secret: str, data: Any, field: str, message: str
) -> None:
    make_handover(world)
    with unchanged(ignoring=(ApiKey,)):  # the key notes when it was last used
        response = put(secret, data)
    assert response.status_code == 422, response.content
    found = [e for e in errors(response) if e["field"] == field]
    assert found, errors(response)
    if message:
        assert found[0]["message"] == message


def test_malformed_json_is_a_400(world: World, secret: str) -> None:
    with unchanged(ignoring=(ApiKey,)):  # the key notes when it was last used
        response = put(secret, "{not json")
    assert response.status_code == 400


def test_an_unknown_account_is_a_404(world: World, secret: str) -> None:
    with unchanged(ignoring=(ApiKey,)):  # the key notes when it was last used
        response = put(secret, body(), slug="nobody")
    assert response.status_code == 404
    assert errors(response) == [{"field": "slug", "message": "No such account."}]


def test_it_needs_a_key_with_the_handover_scope(world: World) -> None:
    figures_only = make_key(world.admin, [ApiKey.Scope.READ_FIGURES])
    with unchanged(ignoring=(ApiKey,)):  # the key notes when it was last used
        assert put(None, body()).status_code == 401
        assert put(figures_only, body()).status_code == 403
        assert Client().get(url(), **bearer(figures_only)).status_code == 403


def test_a_session_is_not_a_key(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    with unchanged(ignoring=(ApiKey,)):  # the key notes when it was last used
        response = client.put(url(), json.dumps(body()), content_type="application/json")
    assert response.status_code == 401


def test_the_schema_documents_the_handover(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = schema["paths"]["/api/v1/accounts/{slug}/handover"]
    assert set(operations) == {"get", "put"}
    assert {"401", "403", "404", "422"} <= set(operations["put"]["responses"])

"""Webhooks in the console and over the REST API: a CS admin adds, edits and removes
endpoints, sees each one's deliveries, resends one and sends a test event; an API key with
``manage_webhooks`` does the same over ``/api/v1/webhooks`` with JSON errors naming the
field; the event types and their schemas are published."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Activity
from insights.models import ApiKey
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import World, client_for
from tests.insights_helpers import make_key
from tests.snapshot import unchanged
from tests.webhooks_helpers import Received, make_delivery, make_endpoint, receiver

FORM = {
    "url": "https://hooks.example.com/portal",
    "description": "Warehouse",
    "event_types": ["task.completed", "health.band_changed"],
    "active": "on",
}


def test_an_admin_adds_an_endpoint_and_sees_its_secret(world: World) -> None:
    client = client_for(world.admin)
    page = client.get(reverse("webhook_new")).content.decode()
    assert "Onboarding and success plans" in page and 'value="task.completed"' in page
    response = client.post(reverse("webhook_new"), FORM)
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_detail", args=[endpoint.pk])
    assert endpoint.event_types == ["health.band_changed", "task.completed"]
    assert endpoint.active and endpoint.created_by == world.admin
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 30
    detail = client.get(response["Location"])
    assert endpoint.secret in detail.content.decode()
    assert detail["Cache-Control"] == "no-store"
    assert Activity.objects.filter(verb="added a webhook endpoint").exists()


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"url": "not a url"}, "The URL must start with https://."),
        ({"url": ""}, "This field is required."),
        ({"event_types": []}, "Choose at least one event to send."),
        ({"event_types": ["task.done"]}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_422_naming_the_field(
    world: World, changes: dict[str, Any], message: str
) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(reverse("webhook_new"), {**FORM, **changes})
    assert response.status_code == 422
    assert message in response.content.decode()


def test_editing_turns_an_endpoint_the_portal_disabled_back_on(world: World) -> None:
    from django.utils import timezone

    endpoint = make_endpoint(
        world.admin,
        active=False,
        disabled_at=timezone.now(),
        disabled_reason="Every delivery failed for 24 hours",
        failing_since=timezone.now(),
    )
    client = client_for(world.admin)
    assert (
        "Turned off" in client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    )
    response = client.post(reverse("webhook_edit", args=[endpoint.pk]), FORM)
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_at is None and endpoint.failing_since is None
    assert endpoint.description == "Warehouse"


def test_the_endpoint_page_lists_deliveries_and_resends_one(world: World) -> None:
    endpoint = make_endpoint(world.admin)
    failed = make_delivery(endpoint, last_error="The receiver answered 500.")
    client = client_for(world.admin)
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert failed.msg_id in page and "Failed" in page and "<code>500</code>" in page
    assert reverse("webhook_resend", args=[endpoint.pk, failed.pk]) in page
    response = client.post(reverse("webhook_resend", args=[endpoint.pk, failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING and failed.round_attempts == 0
    assert failed.attempts == 8  # the history stays


def test_a_delivery_of_another_endpoint_is_404(world: World) -> None:
    mine, other = make_endpoint(world.admin), make_endpoint(world.admin)
    theirs = make_delivery(other)
    client = client_for(world.admin)
    with unchanged():
        response = client.post(reverse("webhook_resend", args=[mine.pk, theirs.pk]))
    assert response.status_code == 404


def test_send_a_test_event_reaches_the_receiver(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from standardwebhooks import Webhook

    settings.OUTBOUND_ALLOW_PRIVATE = True
    seen: list[Any] = []
    endpoint: list[WebhookEndpoint] = []

    def answer(request: Received) -> int:
        seen.append(Webhook(endpoint[0].secret).verify(request.body, request.headers))
        return 200

    with receiver(answer) as hook:
        endpoint.append(make_endpoint(world.admin, hook.url))
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.admin).post(reverse("webhook_test", args=[endpoint[0].pk]))
        hook.wait_for(1)
    assert response.status_code == 302
    assert seen[0]["type"] == "webhook.test"
    assert seen[0]["data"]["account"]["slug"] == "acme"  # the first account by name
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_list_shows_each_endpoints_health(world: World) -> None:
    from django.utils import timezone

    make_endpoint(
        world.admin,
        url="https://hooks.example.com/ok",
        last_attempt_at=timezone.now(),
        last_status_code=200,
        last_ok=True,
    )
    make_endpoint(world.admin, url="https://hooks.example.com/new")
    page = client_for(world.admin).get(reverse("webhooks")).content.decode()
    assert "https://hooks.example.com/ok" in page and "Nothing sent yet" in page
    assert (
        reverse("webhooks")
        in client_for(world.admin).get(reverse("console_settings")).content.decode()
    )


def test_the_event_types_page_publishes_each_schema(world: World) -> None:
    page = client_for(world.admin).get(reverse("webhook_events")).content.decode()
    for name in ["task.completed", "milestone.missed", "person.left", "signal.nps_detractor"]:
        assert f'id="{name}"' in page
    assert "webhook-signature" in page


# The REST API -----------------------------------------------------------------------------------


def api(secret: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {secret}"}}


def test_the_api_manages_endpoints_with_the_scope(world: World) -> None:
    key = api(make_key(world.admin, ["manage_webhooks"]))
    client = Client()
    url = reverse("api_v1:webhooks")
    created = client.post(
        url,
        {"url": "https://hooks.example.com/a", "event_types": ["review.published"]},
        content_type="application/json",
        **key,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["active"] is True
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.created_by == world.admin  # the key's issuer
    listed = client.get(url, **key).json()
    assert [e["id"] for e in listed] == [endpoint.pk] and "secret" not in listed[0]
    one = reverse("api_v1:webhook", args=[endpoint.pk])
    changed = client.patch(one, {"active": False}, content_type="application/json", **key)
    assert changed.status_code == 200 and changed.json()["active"] is False
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.event_types == ["review.published"]
    assert client.get(one, **key).json()["secret"] == endpoint.secret
    assert client.delete(one, **key).status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert client.delete(one, **key).status_code == 404


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"url": "http://hooks.example.com", "event_types": ["task.completed"]}, "url", "https"),
        ({"url": "https://10.0.0.7/x", "event_types": ["task.completed"]}, "url", "private"),
        ({"url": "https://h.example", "event_types": ["task.done"]}, "event_types[0]", "task.done"),
        ({"url": "https://h.example", "event_types": []}, "event_types", "at least 1"),
        ({"event_types": ["task.completed"]}, "url", "required"),
    ],
)
def test_the_api_refuses_bad_input_naming_the_field(
    world: World, settings: Any, body: dict[str, Any], field: str, message: str
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    key = api(make_key(world.admin, ["manage_webhooks"]))
    with unchanged(ignoring=(ApiKey,)):  # its last use is noted
        response = Client().post(
            reverse("api_v1:webhooks"), body, content_type="application/json", **key
        )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field and message in error["message"], error


def test_a_key_without_the_scope_is_refused(world: World) -> None:
    key = api(make_key(world.admin, ["read_figures"]))
    response = Client().get(reverse("api_v1:webhooks"), **key)
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == (
        "This API key does not have the manage_webhooks scope."
    )


def test_the_openapi_document_lists_every_event_type_with_its_payload(db: None) -> None:
    schema = Client().get(reverse("api_v1:openapi-json")).json()
    assert schema["openapi"].startswith("3.1")
    hooks = schema["webhooks"]
    assert {"task.completed", "task.overdue", "person.joined", "webhook.test"} <= set(hooks)
    body = hooks["task.completed"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["type"] == {"const": "task.completed"}
    assert {"account", "task_id"} <= set(body["properties"]["data"]["required"])
    assert "/api/v1/webhooks" in schema["paths"]

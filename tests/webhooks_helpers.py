"""Webhook receivers on loopback (real HTTP servers in a thread of the test), endpoint
factories, and the webhooks' rows of the URL x role access matrix.

tests/test_access_matrix.py takes everything from here::

    EXPECTED.update(WEBHOOKS_EXPECTED)
    # in matrix_world:   ctx["webhooks"] = make_webhooks_world(world)
    # in url_and_data:   **webhooks_url_args(ctx["webhooks"]),
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from accounts.models import User
from integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import new_msg_id
from tests.conftest import World

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
POST_ONLY = [405] * 8
KEY_ONLY = [401] * 8  # no persona sends a key

WEBHOOKS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "webhooks": (ADMIN_READ, None),
    "webhook_new": (ADMIN_READ, ADMIN_WRITE),
    "webhook_events": (ADMIN_READ, None),
    "webhook_detail": (ADMIN_READ, None),
    "webhook_edit": (ADMIN_READ, ADMIN_WRITE),
    "webhook_test": (POST_ONLY, ADMIN_WRITE),
    "webhook_rotate": (POST_ONLY, ADMIN_WRITE),
    "webhook_delete": (POST_ONLY, ADMIN_WRITE),
    "webhook_resend": (POST_ONLY, ADMIN_WRITE),
    "api_v1:webhooks": (KEY_ONLY, KEY_ONLY),
    "api_v1:webhook": (KEY_ONLY, None),
}


def make_endpoint(
    created_by: User,
    url: str = "https://hooks.example.com/portal",
    event_types: list[str] | None = None,
    **fields: Any,
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=url,
        event_types=event_types if event_types is not None else ["task.completed"],
        created_by=created_by,
        **fields,
    )


def make_delivery(endpoint: WebhookEndpoint, **fields: Any) -> WebhookDelivery:
    body = json.dumps(
        {"type": "webhook.test", "timestamp": "2026-11-16T09:00:00+00:00", "data": {}}
    )
    values: dict[str, Any] = {
        "event_type": "webhook.test",
        "msg_id": new_msg_id(),
        "payload": body,
        "status": DeliveryStatus.FAILED,
        "attempts": 8,
        "round_attempts": 8,
        "last_status_code": 500,
    }
    return WebhookDelivery.objects.create(endpoint=endpoint, **{**values, **fields})


def make_webhooks_world(world: World) -> dict[str, Any]:
    """An endpoint added by the CS admin, with a delivery that failed for good."""
    endpoint = make_endpoint(world.admin, event_types=["task.completed", "person.joined"])
    return {"endpoint": endpoint, "delivery": make_delivery(endpoint)}


def webhooks_url_args(ctx: dict[str, Any]) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    endpoint, delivery = ctx["endpoint"], ctx["delivery"]
    form = {
        "url": "https://hooks.example.com/other",
        "description": "Warehouse",
        "event_types": ["task.completed", "review.published"],
        "active": "on",
    }
    return {
        "webhook_new": ([], form),
        "webhook_detail": ([endpoint.pk], {}),
        "webhook_edit": ([endpoint.pk], form),
        "webhook_test": ([endpoint.pk], {}),
        "webhook_rotate": ([endpoint.pk], {}),
        "webhook_delete": ([endpoint.pk], {}),
        "webhook_resend": ([endpoint.pk, delivery.pk], {}),
        "api_v1:webhook": ([endpoint.pk], {}),
    }


# Receivers --------------------------------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver listening on 127.0.0.1: ``answer(request)`` gives the status."""

    answer: Callable[[Received], int]
    received: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")


@contextmanager
def receiver(answer: Callable[[Received], int], path: str = "/hook") -> Iterator[Receiver]:
    """Start a real HTTP/1.1 server (keep-alive) on a free loopback port for the block."""
    state = Receiver(answer)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = Received(
                {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
            )
            with state.lock:
                state.received.append(request)
            status = state.answer(request)
            body = b"" if status == 204 else b"ok" if status < 300 else b"not ok"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the sender gave up waiting
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a sender that gave up waiting (the timeout tests) is no error here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

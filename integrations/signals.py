"""What the integrations app listens to: the events the portal records
(:data:`playbooks.events.events_recorded`, sent after the commit that recorded them)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from playbooks.events import events_recorded

from .services import chat
from .services.webhooks import queue_deliveries

chat_log = logging.getLogger("integrations.chat")


@receiver(events_recorded, dispatch_uid="integrations.chat")
def chat_on_events(sender: Any, events: list[Any], **kwargs: Any) -> None:
    """Queue a chat message for each channel that wants each new event. A failure here is
    logged, never raised: the other listeners (webhooks) still hear of the events."""
    try:
        chat.fan_out(events)
    except Exception:
        chat_log.exception("chat messages for %s events not queued", len(events))


log = logging.getLogger(__name__)


@receiver(events_recorded, dispatch_uid="integrations.webhooks")
def deliver_to_webhooks(sender: Any, events: list[Any], **kwargs: Any) -> None:
    """Deliveries for the events to the endpoints subscribed to them (in the job that recorded
    the events, after its commit: never in a request)."""
    try:
        queue_deliveries(events)
    except Exception:  # the events are recorded; a webhook failure must not undo the job
        log.exception("webhook deliveries for %s events not queued", len(events))

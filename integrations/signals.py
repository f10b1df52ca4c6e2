"""What the integrations app listens to: the events the portal records
(:data:`playbooks.events.events_recorded`, sent after the commit that recorded them)."""

from __future__ import annotations

# Chat notifications ------------------------------------------------------------------------------
import logging
from typing import Any

from django.dispatch import receiver

from playbooks.events import events_recorded

from .services import chat

chat_log = logging.getLogger("integrations.chat")


@receiver(events_recorded, dispatch_uid="integrations.chat")
def chat_on_events(sender: Any, events: list[Any], **kwargs: Any) -> None:
    """Queue a chat message for each channel that wants each new event. A failure here is
    logged, never raised: the other listeners (webhooks) still hear of the events."""
    try:
        chat.fan_out(events)
    except Exception:
        chat_log.exception("chat messages for %s events not queued", len(events))

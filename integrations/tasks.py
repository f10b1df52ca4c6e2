"""Background work of the integrations app."""

from __future__ import annotations

# Chat notifications ------------------------------------------------------------------------------
from portal.jobs import job_task

from .services import chat


def _chat_gave_up(*, error: str, message_id: int, **_: object) -> None:
    chat.gave_up(message_id, error)


@job_task("integrations.deliver_chat", give_up=_chat_gave_up)
def deliver_chat(message_id: int) -> bool:
    """POST one chat message; a failure that may pass raises, and the job tries again later."""
    return chat.deliver(message_id)

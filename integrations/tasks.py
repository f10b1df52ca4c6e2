"""Background work of the integrations app: each a job (portal.jobs), safe to run twice."""

from __future__ import annotations

from celery import shared_task

from portal.jobs import job_task

from .services import chat, webhooks

# Chat notifications ------------------------------------------------------------------------------


def _chat_gave_up(*, error: str, message_id: int, **_: object) -> None:
    chat.gave_up(message_id, error)


@job_task("integrations.deliver_chat", give_up=_chat_gave_up)
def deliver_chat(message_id: int) -> bool:
    """POST one chat message; a failure that may pass raises, and the job tries again later."""
    return chat.deliver(message_id)


@job_task("integrations.deliver_webhooks")
def deliver_webhooks(endpoint_id: int) -> int:
    """Send a batch of the endpoint's due deliveries (:func:`webhooks.deliver_batch`)."""
    return webhooks.deliver_batch(endpoint_id)


@job_task("integrations.tell_webhook_disabled")
def tell_webhook_disabled(endpoint_id: int) -> bool:
    return webhooks.tell_disabled(endpoint_id)


# Beat, every few seconds: there is no request to record a job for, and the jobs it queues are
# recorded. Retries whose wait is over, and deliveries whose job died, go to their endpoint's job.
@shared_task(name="integrations.queue_due_webhooks", ignore_result=True)
def queue_due_webhooks() -> int:
    return webhooks.queue_due()

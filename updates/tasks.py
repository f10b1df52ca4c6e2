"""Background work for product updates: scheduled publication, and telling the readers."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from portal.jobs import job_task

from . import services


# Run by beat, not through portal.jobs. Safe to run twice: each update is claimed (locked and
# checked still scheduled) before it is published.
@shared_task(
    name="updates.publish_due_updates",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=330,
)
def publish_due_updates(self: Any) -> int:
    return services.publish_due_updates()


@job_task("updates.tell_readers")
def tell_readers(update_id: int) -> int:
    return services.tell_readers(update_id)

"""Background work for renewals: opening renewals for contracts, and the nightly pass (new
renewals, and the reminders playbooks start from)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from portal.jobs import job_task

from . import services


@job_task("renewals.open_renewals")
def open_renewals(contract_ids: list[int]) -> int:
    """Safe to run twice: a contract has one renewal."""
    return len(services.open_renewals(contract_ids=contract_ids, acting_user=None))


# Run by beat. Safe to run twice: renewals are made once per contract and each reminder is
# recorded on its renewal before it is sent.
@shared_task(
    name="renewals.nightly",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def nightly(self: Any) -> dict[str, int]:
    today = timezone.localdate()
    opened = services.open_renewals(today=today, acting_user=None)
    reminded = services.send_reminders(today=today)
    return {"opened": len(opened), "reminded": reminded}

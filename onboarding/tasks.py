from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from .services import RemindersNotSent, send_reminders


# Run by beat, not through portal.jobs: there is no request to record a job for. Each person's
# day is claimed before their e-mail goes out, so a retry or a second delivery sends nobody a
# second one; a retry just picks up those not yet sent.
# The name is the one the task had when onboarding lived in the successplans app: beat
# schedules and messages already queued under it keep working.
@shared_task(
    name="successplans.send_onboarding_reminders",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def send_onboarding_reminders(self: Any, today: str | None = None) -> int:
    """E-mail the day's onboarding reminders. ``today`` is an ISO date (tests, a catch-up
    run); by default the local date when the task runs."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    try:
        return send_reminders(day)
    except (RemindersNotSent, SoftTimeLimitExceeded) as exc:
        # Same day on every retry, even one that runs after midnight.
        raise self.retry(
            exc=exc,
            countdown=min(1800, 60 * 2**self.request.retries),
            kwargs={"today": day.isoformat()},
        ) from exc

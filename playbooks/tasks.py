"""Playbook work, off the request: each a job (portal.jobs), safe to run twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.dateparse import parse_date

from portal.jobs import job_task

from .services import events, runs, task_digest


@job_task("playbooks.record_event")
def record_event(
    kind: str, account_id: int, source: str, data: dict[str, Any], occurred_at: str
) -> int:
    """Store the event (once) and run the enabled playbooks on it (each once)."""
    event = events.record_event(
        kind, account_id=account_id, source=source, data=data, occurred_at=occurred_at
    )
    if event is None:
        return 0
    return len(runs.evaluate_event(event))


@job_task("playbooks.person_deactivated")
def person_deactivated(user_id: int, deactivated_at: str) -> int:
    fired = 0
    for event in events.person_left_events(user_id, deactivated_at):
        fired += len(runs.evaluate_event(event))
    return fired


@job_task("playbooks.health_score_saved")
def health_score_saved(account_id: int, day: str, band: str, score: int) -> int:
    parsed = parse_date(day)
    if parsed is None:
        return 0
    event = events.health_band_event(account_id, parsed, band, score)
    return 0 if event is None else len(runs.evaluate_event(event))


# Run by beat, not through portal.jobs: there is no request to record a job for. Each person's
# day is claimed before their e-mail goes out, so a retry or a second delivery sends nobody a
# second one; a retry just picks up those not yet sent.
@shared_task(
    name="playbooks.send_task_digests",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def send_task_digests(self: Any, today: str | None = None) -> int:
    """E-mail each CSM their tasks overdue and due today. ``today`` is an ISO date (tests, a
    catch-up run); by default the local date when the task runs."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    try:
        return task_digest.send_task_digests(day)
    except (task_digest.TaskDigestsNotSent, SoftTimeLimitExceeded) as exc:
        raise self.retry(
            exc=exc,
            countdown=min(1800, 60 * 2**self.request.retries),
            kwargs={"today": day.isoformat()},
        ) from exc


@job_task("playbooks.send_task_assigned")
def send_task_assigned(task_id: int, assignee_id: int, by_user_id: int | None = None) -> bool:
    """Tell someone a task came to them, if they want task e-mails immediately. The job is
    claimed once, so a second delivery sends nothing."""
    return task_digest.send_task_assigned(task_id, assignee_id, by_user_id)

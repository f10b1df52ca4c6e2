"""Playbook work, off the request: each a job (portal.jobs), safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from portal.daily_mail import run_daily_task
from portal.jobs import job_task

from .models import Event
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


@job_task("playbooks.milestone_done")
def milestone_done(milestone_id: int, done_at: str) -> int:
    event = events.milestone_done_event(milestone_id, done_at)
    return 0 if event is None else len(runs.evaluate_event(event))


@job_task("playbooks.health_score_saved")
def health_score_saved(account_id: int, day: str, band: str, score: int) -> int:
    parsed = parse_date(day)
    if parsed is None:
        return 0
    event = events.health_band_event(account_id, parsed, band, score)
    return 0 if event is None else len(runs.evaluate_event(event))


@job_task("playbooks.scan", soft_time_limit=1800, time_limit=1860)
def scan(now: str | None = None) -> dict[str, int]:
    """The daily scan (:func:`playbooks.services.scan.scan`), after the night's health
    scores; ``now`` (ISO) replays a moment. Safe to run twice: each occurrence is one event."""
    from .services.scan import scan as run_scan

    return run_scan(parse_datetime(now) if now else None)


@job_task("playbooks.run_due_steps")
def run_due_steps(now: str | None = None) -> int:
    """Every few minutes (beat): hand each waiting step that is due to its own job.

    ``now`` (ISO 8601) stands in for the clock, so a test can run the scheduler "four days
    later" in a worker process without moving that process's clock."""
    moment = parse_datetime(now) if now else None
    return runs.run_due_steps(moment)


def _give_up_step(error: str, step_id: int) -> None:
    runs.give_up_step(step_id, error)


@job_task("playbooks.run_step", give_up=_give_up_step)
def run_step(step_id: int) -> str:
    """One due step of one run; a failure is retried by the job helper, then shown on the run."""
    return runs.run_due_step(step_id)


def _evaluate(recorded: list[Event]) -> int:
    return sum(len(runs.evaluate_event(event)) for event in recorded)


@job_task("playbooks.record_events")
def record_events(pending: list[dict[str, Any]]) -> int:
    """Several events raised by one save (stage and owner changed at once)."""
    return _evaluate(events.record_events(pending))


@job_task("playbooks.contracts_written")
def contracts_written(contract_ids: list[int], written_at: str) -> int:
    """A bulk write of contracts: an event for each new line."""
    return _evaluate(events.contracts_written_events(contract_ids, written_at))


@job_task("playbooks.plan_changed")
def plan_changed(
    plan_id: int | None = None, objective_id: int | None = None, kpi_id: int | None = None
) -> int:
    """Something on a success plan changed: an event if its health moved to another band."""
    found = events.plan_id_for(plan_id, objective_id, kpi_id)
    if found is None:
        return 0
    event = events.plan_health_event(found, timezone.localdate())
    return 0 if event is None else len(runs.evaluate_event(event))


@job_task("playbooks.first_login")
def first_login(user_id: int, logged_in_at: str) -> int:
    """A customer's first log-in: an event on each of their accounts."""
    return _evaluate(events.first_login_events(user_id, logged_in_at))


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
def send_task_digests(self: Any, today: str | None = None, at: str | None = None) -> int:
    """Hourly: each CSM whose clock shows 07:00 gets their tasks overdue and due on their own
    date (portal.daily_mail.run_daily_task). ``today`` (an ISO date: tests, a catch-up run)
    sends that day's to everyone."""
    return run_daily_task(
        self,
        task_digest.send_task_digests,
        today=today,
        at=at,
        retry_on=(task_digest.TaskDigestsNotSent, SoftTimeLimitExceeded),
    )


@job_task("playbooks.send_task_assigned")
def send_task_assigned(task_id: int, assignee_id: int, by_user_id: int | None = None) -> bool:
    """Tell someone a task came to them, if they want task e-mails immediately. The job is
    claimed once, so a second delivery sends nothing."""
    return task_digest.send_task_assigned(task_id, assignee_id, by_user_id)

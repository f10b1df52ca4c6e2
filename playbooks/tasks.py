"""Playbook work, off the request: each a job (portal.jobs), safe to run twice."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from portal.jobs import job_task

from .services import events, runs


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

"""Background work for surveys: waves, their e-mails, reminders, follow-up notices."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from portal.jobs import job_task

from . import services


# Run by beat, not through portal.jobs: there is no request to record a job for. Safe to run
# twice: a wave is only due once (next_run_at moves on in the same transaction), and every
# e-mail and reminder is claimed before it goes out.
@shared_task(
    name="surveys.run_due_campaigns",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def run_due_campaigns(self: Any) -> dict[str, int]:
    return services.run_due_campaigns()


@job_task("surveys.run_campaign")
def run_campaign(campaign_id: int) -> int:
    """ "Send now" from the campaign page: one wave of one campaign."""
    return services.run_campaign(campaign_id)


@job_task("surveys.send_survey_emails")
def send_survey_emails(campaign_id: int, wave: int) -> int:
    return services.send_wave_emails(campaign_id, wave)


@job_task("surveys.notify_follow_up")
def notify_follow_up(follow_up_id: int) -> bool:
    return services.notify_follow_up(follow_up_id)


@job_task("surveys.send_you_said_we_did")
def send_you_said_we_did(follow_up_id: int) -> bool:
    return services.send_you_said_we_did(follow_up_id)

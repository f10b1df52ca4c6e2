from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts.access import VENDOR, role_on_account
from accounts.models import NotificationKind, User
from accounts.services import tell_mentioned
from portal.daily_mail import run_daily_task
from portal.jobs import job_task

from .models import TaskComment
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
def send_onboarding_reminders(self: Any, today: str | None = None, at: str | None = None) -> int:
    """Hourly: the onboarding reminders of the people whose clock shows 07:00, for their own
    date (portal.daily_mail.run_daily_task). ``today`` (an ISO date: tests, a catch-up run)
    sends that day's to everyone."""
    return run_daily_task(
        self,
        send_reminders,
        today=today,
        at=at,
        retry_on=(RemindersNotSent, SoftTimeLimitExceeded),
    )


@job_task("onboarding.send_task_mention")
def send_task_mention(comment_id: int, user_id: int) -> None:
    """Tell someone they were @mentioned in a task's discussion. Checked again here, as the
    comment may be old by now: the person still sees the account (and, for an internal task,
    is vendor staff) and has not turned task e-mails off. The job is claimed once, so a second
    delivery sends nothing."""
    comment = (
        TaskComment.objects.select_related("task__checklist__account", "author")
        .filter(pk=comment_id)
        .first()
    )
    user = User.objects.filter(pk=user_id).first()
    if comment is None or user is None:
        return
    task = comment.task
    account = task.checklist.account
    role = role_on_account(user, account)
    if role is None or (task.internal and role not in VENDOR):
        return
    url = task.get_absolute_url() + "#comments"
    tell_mentioned(
        user,
        comment=comment,
        kind=NotificationKind.TASKS,
        where=format_lazy(gettext_lazy("the task “{title}”"), title=task.title),
        url=url,
        account=account,
        template="onboarding_mention",
        context={"task": task, "task_url": settings.SITE_URL + url},
    )

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from portal.jobs import job_task
from portal.mail import send_mail_from_templates

from .reminders import RemindersNotSent, send_reminders


# Run by beat, not through portal.jobs: there is no request to record a job for. Each person's
# day is claimed before their e-mail goes out, so a retry or a second delivery sends nobody a
# second one; a retry just picks up those not yet sent.
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


@job_task("successplans.send_plan_mention")
def send_plan_mention(comment_id: int, user_id: int) -> None:
    """Tell someone they were mentioned in a plan's discussion, if they want such e-mails."""
    from django.conf import settings

    from accounts.access import role_on_account
    from accounts.models import User
    from accounts.services import delivery_for

    from .models import PlanComment

    comment = (
        PlanComment.objects.select_related("plan__account", "author").filter(pk=comment_id).first()
    )
    user = User.objects.filter(pk=user_id).first()
    if comment is None or user is None or delivery_for(user, "plans") == "off":
        return
    if role_on_account(user, comment.plan.account) is None:  # no longer allowed to see it
        return
    send_mail_from_templates(
        "plan_mention",
        to=[user.email],
        context={
            "comment": comment,
            "plan": comment.plan,
            "account": comment.plan.account,
            "user": user,
            "plan_url": settings.SITE_URL + comment.plan.get_absolute_url() + "#discussion",
        },
    )


@shared_task(name="successplans.refresh_bound_kpis", ignore_result=True)
def refresh_bound_kpis_task() -> int:
    """Nightly: KPIs bound to a figure the portal computes update themselves."""
    from .plan_services import refresh_bound_kpis

    return refresh_bound_kpis()

from __future__ import annotations

from celery import shared_task
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from portal.jobs import job_task


@job_task("successplans.send_plan_mention")
def send_plan_mention(comment_id: int, user_id: int) -> None:
    """Tell someone they were mentioned in a plan's discussion, if they want such e-mails."""
    from django.conf import settings

    from accounts.access import role_on_account
    from accounts.models import NotificationKind, User
    from accounts.services import tell_mentioned

    from .models import PlanComment

    comment = (
        PlanComment.objects.select_related("plan__account", "author").filter(pk=comment_id).first()
    )
    user = User.objects.filter(pk=user_id).first()
    if comment is None or user is None:
        return
    plan, account = comment.plan, comment.plan.account
    if role_on_account(user, account) is None:  # no longer allowed to see it
        return
    url = plan.get_absolute_url() + "#discussion"
    tell_mentioned(
        user,
        comment=comment,
        kind=NotificationKind.PLANS,
        where=format_lazy(gettext_lazy("the plan “{name}”"), name=plan.name),
        url=url,
        account=account,
        template="plan_mention",
        context={"plan": plan, "plan_url": settings.SITE_URL + url},
    )


@shared_task(name="successplans.refresh_bound_kpis", ignore_result=True)
def refresh_bound_kpis_task() -> int:
    """Nightly: KPIs bound to a figure the portal computes update themselves."""
    from .services import refresh_bound_kpis

    return refresh_bound_kpis()

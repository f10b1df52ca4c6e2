from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from portal.jobs import job_task
from portal.mail import send_mail_from_templates

from .models import Invitation


@job_task("accounts.send_invitation")
def send_invitation(invitation_id: int) -> None:
    """E-mail the invitation link. A revoked, used or expired invitation sends nothing."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("account", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return
        send_mail_from_templates(
            "invitation",
            to=[invitation.email],
            context={
                "invitation": invitation,
                "account": invitation.account,
                "inviter": invitation.invited_by,
                "accept_url": invitation.get_accept_url(),
            },
        )
        invitation.sent_at = timezone.now()
        invitation.send_count += 1
        invitation.save(update_fields=["sent_at", "send_count"])


@job_task("accounts.send_staff_welcome")
def send_staff_welcome(user_id: int, inviter_id: int) -> None:
    """E-mail a new member of staff a link to set their password (allauth's reset link)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return  # deactivated since, or already set up: nothing to send
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    send_mail_from_templates(
        "staff_welcome",
        to=[user.email],
        context={
            "user": user,
            "inviter": User.objects.get(pk=inviter_id),
            "set_password_url": settings.SITE_URL + path,
        },
    )


# Run by beat (no request to record a job for): each person's day is claimed before their
# e-mail goes out, so a retry or a second delivery sends nobody a second digest.
@shared_task(
    name="accounts.send_inbox_digests",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def send_inbox_digests(self: Any, today: str | None = None) -> int:
    """E-mail the day's inbox digests. ``today`` is an ISO date (tests, a catch-up run)."""
    from datetime import date

    from celery.exceptions import SoftTimeLimitExceeded

    from .inbox import InboxDigestsNotSent, send_inbox_digests

    day = date.fromisoformat(today) if today else timezone.localdate()
    try:
        return send_inbox_digests(day)
    except (InboxDigestsNotSent, SoftTimeLimitExceeded) as exc:
        raise self.retry(
            exc=exc,
            countdown=min(1800, 60 * 2**self.request.retries),
            kwargs={"today": day.isoformat()},
        ) from exc

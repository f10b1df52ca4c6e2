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
            # Only the invitation's row: its inviter may be empty (self-join), an outer join.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("account", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return
        if invitation.account.offboarded_at is not None:
            return  # an offboarded account receives no mail, and takes no one new
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


# Self-join (accounts.join) ----------------------------------------------------------------------


@job_task("accounts.send_join_link")
def send_join_link(account_id: int, email: str, name: str, message: str) -> None:
    """E-mail the link that proves the address, made here so that no usable link is stored.
    Checks again that the address may ask (self-join may have been turned off since)."""
    from .join import account_for_join, join_link_url, make_join_token

    account = account_for_join(email)
    if account is None or account.pk != account_id:
        return
    token = make_join_token(account, email=email, name=name, message=message)
    send_mail_from_templates(
        "join_link",
        to=[email],
        context={
            "account": account,
            "name": name,
            "confirm_url": join_link_url(token),
            "automatic": account.self_join == "automatic",
        },
    )


@job_task("accounts.send_join_request_notice")
def send_join_request_notice(join_request_id: int) -> None:
    """Tell the champions (or, with none, the owner CSM) that someone asks to join; their
    inbox item is already there. Nothing once the request has been answered."""
    from django.conf import settings
    from django.urls import reverse

    from .join import champions_to_tell
    from .models import Delivery, JoinRequest, NotificationKind
    from .services import delivery_for

    join_request = (
        JoinRequest.objects.select_related("account")
        .filter(pk=join_request_id, status=JoinRequest.Status.PENDING)
        .first()
    )
    if join_request is None:
        return
    account = join_request.account
    url = settings.SITE_URL + reverse("people", args=[account.slug]) + "#join-requests"
    for person in champions_to_tell(account):
        if delivery_for(person, NotificationKind.ACCOUNT) == Delivery.OFF:
            continue
        send_mail_from_templates(
            "join_request",
            to=[person.email],
            context={
                "join_request": join_request,
                "account": account,
                "person": person,
                "url": url,
            },
        )


@job_task("accounts.send_join_declined")
def send_join_declined(join_request_id: int) -> None:
    """Tell the person, politely, that their request to join was declined."""
    from .models import JoinRequest

    join_request = (
        JoinRequest.objects.select_related("account")
        .filter(pk=join_request_id, status=JoinRequest.Status.DECLINED)
        .first()
    )
    if join_request is None or join_request.account.offboarded_at is not None:
        return
    send_mail_from_templates(
        "join_declined",
        to=[join_request.email],
        context={"join_request": join_request, "account": join_request.account},
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
def send_inbox_digests(self: Any, today: str | None = None, at: str | None = None) -> int:
    """Hourly: the inbox digests of the people whose clock shows 07:00, for their own date
    (portal.daily_mail.run_daily_task). ``today`` (an ISO date: tests, a catch-up run) sends
    that day's to everyone."""
    from celery.exceptions import SoftTimeLimitExceeded

    from portal.daily_mail import run_daily_task

    from .inbox import InboxDigestsNotSent, send_inbox_digests

    return run_daily_task(
        self,
        send_inbox_digests,
        today=today,
        at=at,
        retry_on=(InboxDigestsNotSent, SoftTimeLimitExceeded),
    )

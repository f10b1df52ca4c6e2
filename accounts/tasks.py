from __future__ import annotations

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

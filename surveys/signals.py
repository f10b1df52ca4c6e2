"""Survey triggers, connected to the events they wait for (without touching those apps)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from accounts.models import Account
from onboarding.models import Checklist

from .services import trigger

# Sent by services.add_comment, which stores a comment added later with ``.update()`` (so no
# post_save): ``response`` is the Response, its ``comment`` the new text.
response_commented = Signal()


@receiver(post_save, sender=Checklist, dispatch_uid="surveys.onboarding_completed")
def onboarding_completed(
    sender: type[Checklist], instance: Checklist, update_fields: Any = None, **kwargs: Any
) -> None:
    """onboarding.services.refresh_milestones saves ``completed_at`` when the last required
    task is done. A checklist saved completed asks the onboarding-completed campaigns; the
    trigger asks each person once per campaign, so a save that changes nothing is harmless."""
    if instance.completed_at is None:
        return
    if update_fields is not None and "completed_at" not in update_fields:
        return
    account = Account.objects.filter(pk=instance.account_id).first()
    if account is not None:
        trigger("onboarding_completed", account)

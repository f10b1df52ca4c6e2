"""Survey triggers, connected to the events they wait for (without touching those apps), and
the signals surveys sends where a write bypasses the model signals.

``response_commented`` is sent by :func:`surveys.services.add_comment` (an ``update()``, so no
``post_save``) when a comment is added or changed within the grace period, inside the write:

    response_commented.send(sender=Response, response=response, comment="...", at=datetime)

``response`` carries the new ``comment`` and ``updated_at``; ``comment`` is "" when cleared.
For the sentiment scoring (playbooks): a receiver runs no query of its own, it enqueues a job
with ``response.pk`` and scores the comment there. The response's band does not change (the
score is not touched), so no survey event is raised again; the detractor follow-up reads the
comment when its steps run.
"""

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

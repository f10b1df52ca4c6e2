"""What offboarding takes from the apps before it: a renewal marked churned starts the
account's offboarding; an exit survey answered ticks its step."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from renewals.models import Renewal
from renewals.signals import renewal_churned
from surveys.models import Kind, Response

from . import services


@receiver(renewal_churned, dispatch_uid="offboarding.renewal_churned")
def start_on_churn(sender: Any, renewal: Renewal, **kwargs: Any) -> None:
    """Sent after the commit that churned the renewal; starting twice starts once."""
    services.start_offboarding(renewal.account, renewal=renewal, acting_user=None)


@receiver(post_save, sender=Response, dispatch_uid="offboarding.exit_answered")
def tick_on_exit_answer(
    sender: type[Response], instance: Response, created: bool = False, **kwargs: Any
) -> None:
    if created and instance.kind == Kind.EXIT:
        services.exit_survey_answered(instance.account_id, user=instance.user)

"""Offboarding: the checklist a leaving account works through (data export, access removal,
exit survey, final invoice), started when its renewal is marked churned or by its CSM.

A CS admin keeps the default steps (:class:`StepTemplate`); each offboarding copies them, so
editing the template never changes an offboarding under way. An account has one offboarding;
once every step is done its CSM marks the account offboarded (``Account.offboarded_at``): it
keeps its history and its people receive no more e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account
from portal.choices import TextChoices, gettext_lazy
from renewals.models import Renewal, Side


class StepKind(TextChoices):
    TASK = "", gettext_lazy("A step to tick")
    # Sent to the account's champions when the offboarding starts; ticks itself when one of
    # them answers.
    EXIT_SURVEY = "exit_survey", gettext_lazy("The exit survey (ticks itself when answered)")


class StepTemplate(models.Model):
    """A step of the default offboarding checklist, copied into each new offboarding."""

    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    kind = models.CharField(
        max_length=12, choices=StepKind.choices, default=StepKind.TASK, blank=True
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Offboarding(models.Model):
    """One account's offboarding: one per account, whatever starts it."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="offboarding")
    # The churned renewal that started it (none when the CSM started it by hand).
    renewal = models.ForeignKey(
        Renewal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exit_survey_sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "pk"]

    def __str__(self) -> str:
        return f"Offboarding of {self.account}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the offboarding"))

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class OffboardingStep(models.Model):
    """A step of one offboarding: the side that does it ticks it (the exit survey's step
    ticks itself)."""

    offboarding = models.ForeignKey(Offboarding, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    kind = models.CharField(
        max_length=12, choices=StepKind.choices, default=StepKind.TASK, blank=True
    )
    position = models.PositiveIntegerField(default=0)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def is_exit_survey(self) -> bool:
        return self.kind == StepKind.EXIT_SURVEY

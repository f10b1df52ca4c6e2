"""What happened to an account (events), what the portal does about it (playbooks, their steps
and runs), and the CSM's tasks that come out of it or are made by hand.

Other apps never import this one: events are raised from their model signals
(:mod:`playbooks.signals`), and playbook steps call their services.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account


class EventKind(models.TextChoices):
    NPS_DETRACTOR = "nps_detractor", "NPS detractor response"
    NPS_PASSIVE = "nps_passive", "NPS passive response"
    NPS_PROMOTER = "nps_promoter", "NPS promoter response"
    CSAT_LOW = "csat_low", "Low CSAT response"
    CES_HIGH_EFFORT = "ces_high_effort", "High-effort CES response"
    ONBOARDING_COMPLETED = "onboarding_completed", "Onboarding completed"
    CHAMPION_LEFT = "champion_left", "Champion deactivated or removed"
    EXECUTIVE_LEFT = "executive_left", "Executive sponsor deactivated or removed"
    HEALTH_BAND_CHANGED = "health_band_changed", "Health score changed band"


class Event(models.Model):
    """One thing that happened to an account, recorded once (``source`` names its origin)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=200, help_text="What raised it, e.g. response:12; unique per kind."
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source"], name="one_event_per_kind_and_source")
        ]
        indexes = [models.Index(fields=["account", "-occurred_at"], name="event_account_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.account_id}"


class StepKind(models.TextChoices):
    CREATE_TASK = "create_task", "Create a task for the CSM"


class Playbook(models.Model):
    """When ``trigger`` happens to an account that meets ``conditions``, run the steps."""

    key = models.SlugField(
        max_length=60, blank=True, help_text="Set on built-in playbooks, which ship with us."
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    trigger = models.CharField(max_length=30, choices=EventKind.choices)
    # For now: {"segment": [...], "touch_model": [...], "stage": [...]}; an empty or missing
    # list means any.
    conditions = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="one_builtin_playbook_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_label(self) -> str:
        return f"“{self.name}”"


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=StepKind.choices, default=StepKind.CREATE_TASK)
    delay_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)])
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["playbook", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(delay_days__lte=365), name="step_delay_in_range")
        ]

    def __str__(self) -> str:
        return f"{self.playbook}: step {self.position + 1} ({self.kind})"


class PlaybookRun(models.Model):
    """One playbook fired for one account by one event: never twice (the unique constraint)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    reason = models.CharField(max_length=300, help_text="Why it fired, in words.")
    # One entry per step: {"position", "kind", "status": done|waiting|failed, "detail"}.
    steps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "account", "event"], name="one_run_per_playbook_account_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.playbook} on {self.account_id}"

    @property
    def activity_label(self) -> str:
        return f"playbook “{self.playbook.name}”"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


class CSMTaskQuerySet(models.QuerySet["CSMTask"]):
    def open(self) -> CSMTaskQuerySet:
        return self.filter(done_at__isnull=True)

    def showing_on(self, day: date) -> CSMTaskQuerySet:
        """Open and not snoozed past ``day``."""
        return self.open().filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=day))


class CSMTask(models.Model):
    """Something the CSM has to do for an account: from a playbook or made by hand.

    Vendor-only: a customer never sees a task.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="csm_tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="csm_tasks"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    reason = models.TextField(blank=True, help_text="Why this needs doing.")
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    run = models.ForeignKey(
        PlaybookRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    snoozed_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a playbook made it.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CSMTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["assignee", "due_on"],
                name="csmtask_open_by_assignee",
                condition=Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_label(self) -> str:
        return f"task “{self.title}”"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on < today

"""Onboarding: checklist templates, and the one checklist per account started from them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account


class Side(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    VENDOR = "vendor", "Vendor"


class AssigneeRole(models.TextChoices):
    """Who gets a task by default when a checklist starts from a template."""

    CHAMPION = "champion", "The champion"
    EXECUTIVE = "executive", "The executive"
    MEMBER = "member", "A member"
    CSM = "csm", "The CSM"
    NOBODY = "", "Nobody yet"


MAX_OFFSET_DAYS = 365


class TaskFields(models.Model):
    """What a task is, in a template and on an account's checklist alike."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    required = models.BooleanField(default=True)
    resource_links = models.TextField(
        blank=True,
        help_text="One link a line: a title, a space and the address, or just the address.",
    )
    is_value_milestone = models.BooleanField(
        "value milestone",
        default=False,
        help_text="Completing it ends time to value: the customer has seen what they bought.",
    )
    internal = models.BooleanField(
        default=False, help_text="Internal to the vendor: never shown to the customer."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def links(self) -> list[tuple[str, str]]:
        """``resource_links`` as (title, url) pairs; only http(s) addresses are kept."""
        pairs = []
        for line in self.resource_links.splitlines():
            parts = line.strip().rsplit(maxsplit=1)
            if not parts:
                continue
            url = parts[-1]
            if url.startswith(("https://", "http://")):
                pairs.append((parts[0] if len(parts) == 2 else url, url))
        return pairs


class TemplateQuerySet(models.QuerySet["ChecklistTemplate"]):
    def active(self) -> TemplateQuerySet:
        return self.filter(archived_at__isnull=True)


class ChecklistTemplate(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("template_edit", args=[self.pk])


class PhaseFields(models.Model):
    """A named, ordered group of tasks, in a template and on a checklist alike."""

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class TemplatePhase(PhaseFields):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="phases")

    class Meta(PhaseFields.Meta):
        pass


class TemplateTask(TaskFields):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="tasks")
    default_role = models.CharField(
        "default assignee", max_length=10, choices=AssigneeRole.choices, blank=True
    )
    due_offset_days = models.PositiveIntegerField(
        "due, days after kickoff",
        default=0,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )

    class Meta:
        ordering = ["position", "pk"]


class Checklist(models.Model):
    """An account's onboarding, started from a template (copied, so later template edits do
    not change it)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="checklist")
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checklists",
    )
    template_name = models.CharField(max_length=200, blank=True)
    kickoff_date = models.DateField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    value_reached_at = models.DateTimeField(null=True, blank=True)
    # The escalation ladder for overdue customer tasks, in days overdue.
    remind_assignee_after = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    remind_champion_after = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    remind_csm_after = models.PositiveSmallIntegerField(
        "remind the CSM after", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remind_assignee_after__lte=models.F("remind_champion_after"))
                & models.Q(remind_champion_after__lte=models.F("remind_csm_after")),
                name="reminder_ladder_climbs",
            )
        ]

    def __str__(self) -> str:
        return f"Onboarding of {self.account}"

    def get_absolute_url(self) -> str:
        return reverse("onboarding", args=[self.account.slug])

    @property
    def activity_label(self) -> str:
        return f"from “{self.template_name}”" if self.template_name else ""

    @property
    def time_to_value(self) -> int | None:
        """Days from kickoff to the value milestone's completion; None until it is done."""
        if self.value_reached_at is None:
            return None
        return (timezone.localtime(self.value_reached_at).date() - self.kickoff_date).days


class ChecklistPhase(PhaseFields):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="phases")

    class Meta(PhaseFields.Meta):
        pass


class TaskQuerySet(models.QuerySet["Task"]):
    def shared(self) -> TaskQuerySet:
        return self.filter(internal=False)

    def open(self) -> TaskQuerySet:
        return self.filter(completed_at__isnull=True)

    def overdue(self, today: date | None = None) -> TaskQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Task(TaskFields):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(ChecklistPhase, on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onboarding_tasks",
    )
    due_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Bumped on every edit: a form saved from a stale page is refused, never silently applied.
    version = models.PositiveIntegerField(default=1)
    # Sent with the "add a task" form, so a double submit adds the task once.
    client_token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "client_token"], name="one_task_per_submit"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="task_due", condition=models.Q(completed_at__isnull=True)
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("onboarding_task", args=[self.checklist.account.slug, self.pk])

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        return (
            not self.is_done
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )

    @property
    def activity_label(self) -> str:
        return self.title


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.task}"


class ReminderSent(models.Model):
    """One row per person and day an onboarding reminder went out: never two in a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    items = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"Reminder to {self.user} on {self.day}"


def position_after(queryset: models.QuerySet[Any]) -> int:
    last = queryset.aggregate(models.Max("position"))["position__max"]
    return 0 if last is None else last + 1


# Mutual success plans ------------------------------------------------------------------------


class PlanHealth(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class PlanTemplate(models.Model):
    """A skeleton of objectives, milestones and action items that CSMs start plans from."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanTemplateItem(models.Model):
    class Kind(models.TextChoices):
        OBJECTIVE = "objective", "Objective"
        MILESTONE = "milestone", "Milestone"
        ACTION = "action", "Action item"

    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, help_text="For an objective: why it matters.")
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    offset_days = models.PositiveIntegerField(
        "due, days after the plan starts",
        default=30,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )
    internal = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class SuccessPlan(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    template_name = models.CharField(max_length=200, blank=True)
    health_override = models.CharField(max_length=10, choices=PlanHealth.choices, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="plan_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan", args=[self.account.slug, self.pk])


class PlanItem(models.Model):
    """What every item of a plan has: a version for safe concurrent edits, and visibility."""

    internal = models.BooleanField(
        default=False, help_text="Internal to the vendor: never shown to the customer."
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Objective(PlanItem):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField("outcome", max_length=200)
    why = models.TextField("why it matters", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The customer-side owner.",
    )  # fmt: skip
    target_date = models.DateField(null=True, blank=True)

    class Meta(PlanItem.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class KPI(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=20, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    current = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    source = models.CharField(
        "computed from",
        max_length=40,
        blank=True,
        help_text="A figure the portal computes; it then updates itself.",
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target=models.F("baseline")),
                name="kpi_target_differs_from_baseline",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def progress(self) -> float | None:
        """Share of the way from baseline to target, 0..1; works for figures that should fall."""
        if self.current is None:
            return None
        share = (self.current - self.baseline) / (self.target - self.baseline)
        return float(min(max(share, 0), 1))


class KPIValue(models.Model):
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="history")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value}"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"


class Milestone(PlanItem):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    target_date = models.DateField()
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    status = models.CharField(
        max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta(PlanItem.Meta):
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.status == MilestoneStatus.MISSED or (
            self.status != MilestoneStatus.DONE and self.target_date < today
        )


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ActionItem(PlanItem):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta(PlanItem.Meta):
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return (
            self.status != ActionStatus.DONE and self.due_date is not None and self.due_date < today
        )


class PlanComment(models.Model):
    """A comment on the plan itself (no item) or on one of its items."""

    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="comments")
    item_kind = models.CharField(max_length=10, blank=True)
    item_id = models.PositiveIntegerField(null=True, blank=True)
    item_label = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.plan}"

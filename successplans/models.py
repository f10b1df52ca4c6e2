"""Mutual success plans: objectives with KPIs, milestones, action items, discussion, templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from onboarding.models import MAX_OFFSET_DAYS, Side


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
    # Not stored: whether the viewer may edit it, set by the plan page (services.may_edit).
    editable: bool

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
    # Not stored: whether the viewer may edit it, set by the plan page (services.may_edit).
    editable: bool

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
        return float(min(max(share, Decimal(0)), Decimal(1)))


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


# Any item of a plan, which the plan page, the services and the log name by its kind.
Item = Objective | KPI | Milestone | ActionItem
# The items that hang off the plan itself (a KPI hangs off its objective).
PlanPart = Objective | Milestone | ActionItem


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

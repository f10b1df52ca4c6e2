"""Mutual success plans: objectives with KPIs, milestones, action items, discussion, templates."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from onboarding.models import MAX_OFFSET_DAYS, Side
from portal import formatting

# Every date of a plan (its start and end, objective, milestone, action and KPI dates) lies in
# this range: a typo such as 1900 or 9999 is refused, not stored. A plan runs 5 years at most.
EARLIEST_PLAN_DATE = date(2000, 1, 1)
LATEST_PLAN_DATE = date(2100, 12, 31)
MAX_PLAN_YEARS = 5


def validate_plan_date(value: date) -> None:
    if not EARLIEST_PLAN_DATE <= value <= LATEST_PLAN_DATE:
        raise ValidationError(
            gettext("Choose a date between %(earliest)s and %(latest)s.")
            % {
                "earliest": formatting.long_date(EARLIEST_PLAN_DATE),
                "latest": formatting.long_date(LATEST_PLAN_DATE),
            },
            code="plan_date_range",
        )


def latest_plan_end(starts_on: date) -> date:
    """The last day a plan starting on ``starts_on`` may end: the same day ``MAX_PLAN_YEARS``
    later (28 February for a plan starting on 29 February)."""
    year = starts_on.year + MAX_PLAN_YEARS
    try:
        return starts_on.replace(year=year)
    except ValueError:  # 29 February, in a year that has none
        return starts_on.replace(year=year, day=28)


def plan_period_errors(starts_on: date, ends_on: date) -> dict[str, str]:
    """What is wrong with a plan's start and end, by field; empty when they are fine."""
    errors: dict[str, str] = {}
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        try:
            validate_plan_date(value)
        except ValidationError as error:
            errors[field] = error.messages[0]
    if errors:
        return errors
    if ends_on <= starts_on:
        errors["ends_on"] = gettext("The plan must end after it starts.")
    elif ends_on > latest_plan_end(starts_on):
        errors["ends_on"] = gettext(
            "A plan runs for %(years)s years at most: end it by %(date)s."
        ) % {"years": MAX_PLAN_YEARS, "date": formatting.long_date(latest_plan_end(starts_on))}
    return errors


class PlanHealth(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


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
        OBJECTIVE = "objective", _("Objective")
        MILESTONE = "milestone", _("Milestone")
        ACTION = "action", _("Action item")

    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, help_text=_("For an objective: why it matters."))
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    offset_days = models.PositiveIntegerField(
        _("due, days after the plan starts"),
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
    starts_on = models.DateField(validators=[validate_plan_date])
    ends_on = models.DateField(validators=[validate_plan_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    champion_edits_kpis = models.BooleanField(
        _("the champion may change KPI definitions"),
        default=False,
        help_text=_(
            "Baselines, targets and target dates; otherwise the champion updates the "
            "current values only."
        ),
    )
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
        default=False, help_text=_("Internal to the vendor: never shown to the customer.")
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    # Not stored: what the viewer may do to the item, set by the plan page for its template
    # (successplans.views.plan.plan_context).
    editable: bool
    details_editable: bool

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Objective(PlanItem):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("outcome"), max_length=200)
    why = models.TextField(_("why it matters"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The customer-side owner."),
    )  # fmt: skip
    target_date = models.DateField(null=True, blank=True, validators=[validate_plan_date])

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
    target_date = models.DateField(null=True, blank=True, validators=[validate_plan_date])
    source = models.CharField(
        _("computed from"),
        max_length=40,
        blank=True,
        help_text=_("A figure the portal computes; it then updates itself."),
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    # Not stored: what the viewer may do to the KPI, set by the plan page for its template
    # (successplans.views.plan.plan_context).
    value_editable: bool
    definable: bool

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
    def progress(self) -> int | None:
        """How far from the baseline toward the target, a whole percentage (see
        ``successplans.figures.kpi_progress``, the one definition)."""
        from .figures import kpi_progress

        return kpi_progress(self.baseline, self.target, self.current)

    @property
    def met(self) -> bool:
        from .figures import kpi_met

        return kpi_met(self.baseline, self.target, self.current)


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
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("status", "Done")
    MISSED = "missed", _("Missed")


class Milestone(PlanItem):
    plan = models.ForeignKey(SuccessPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    target_date = models.DateField(validators=[validate_plan_date])
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    status = models.CharField(
        max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    done_at = models.DateTimeField(null=True, blank=True)

    # Not stored: what the viewer may do about its sign-off, set by the plan page.
    signoff_decidable: bool
    signoff_requestable: bool

    class Meta(PlanItem.Meta):
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_signoff(self) -> SignOff | None:
        """The newest sign-off request (prefetched by ``successplans.figures.plan_view``)."""
        signoffs = list(self.signoffs.all())
        return signoffs[0] if signoffs else None

    def is_overdue(self, today: date) -> bool:
        return self.status == MilestoneStatus.MISSED or (
            self.status != MilestoneStatus.DONE and self.target_date < today
        )


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("status", "Done")


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
    due_date = models.DateField(null=True, blank=True, validators=[validate_plan_date])
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


# One item of a plan, of any kind. The pages and the services name the kind in words
# ("objective", "kpi", "milestone", "action": successplans.services.MODELS).
AnyPlanItem = Objective | KPI | Milestone | ActionItem


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


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignOff(models.Model):
    """The vendor asks the customer to approve a delivered milestone. The named approver, or
    any champion or executive of the account when none is named, approves it (the milestone is
    then done) or rejects it with a reason (the milestone is open again)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="signoffs")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="signoffs")
    note = models.CharField(_("what to check"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: any champion or executive of the account."),
    )
    status = models.CharField(
        max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("why it was rejected"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["account", "status"], name="signoff_account_status")]
        constraints = [
            # One open request per milestone: a second one would ask the same question twice.
            models.UniqueConstraint(
                fields=["milestone"],
                condition=models.Q(status="pending"),
                name="one_pending_signoff_per_milestone",
            )
        ]

    def __str__(self) -> str:
        return f"Sign-off of {self.milestone}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        title = self.milestone.title
        return stored_text(gettext_noop("the sign-off of “%(title)s”"), title=title)

    @property
    def pending(self) -> bool:
        return self.status == SignOffStatus.PENDING

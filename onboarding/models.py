"""Onboarding: checklist templates, and the one checklist per account started from them.

The tables keep the names they had when onboarding lived in the successplans app
(``successplans_checklist`` and so on): the models moved, the data did not.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account


class Side(models.TextChoices):
    # Typed as str: other apps take these choices where str labels are expected (a playbook
    # step's choice field); the lazy label becomes text in the reader's language when shown.
    CUSTOMER = "customer", cast(str, _("Customer"))
    VENDOR = "vendor", cast(str, _("Vendor"))


class AssigneeRole(models.TextChoices):
    """Who gets a task by default when a checklist starts from a template."""

    CHAMPION = "champion", _("The champion")
    EXECUTIVE = "executive", _("The executive")
    MEMBER = "member", _("A member")
    CSM = "csm", _("The CSM")
    NOBODY = "", _("Nobody yet")


MAX_OFFSET_DAYS = 365


class TaskKind(models.TextChoices):
    """What completes a task. Other apps complete the kinds they own through the services
    (a course task: the academy, when its course is passed; an upload task: documents, when
    the customer uploads a file to it); onboarding knows only the kind."""

    TICK = "", _("Ticked when done")
    COURSE = "course", _("Done when a course is passed")
    UPLOAD = "upload", _("Done when the customer uploads a file")
    FORM = "form", _("Done when its form is answered")


# The kinds a template task or a CSM's new task may have (a course task is made by the academy,
# which links its course).
CHOSEN_KINDS = [
    (TaskKind.TICK.value, TaskKind.TICK.label),
    (TaskKind.UPLOAD.value, TaskKind.UPLOAD.label),
]


class TaskFields(models.Model):
    """What a task is, in a template and on an account's checklist alike."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("Markdown."))
    owner_side = models.CharField(max_length=8, choices=Side.choices, default=Side.CUSTOMER)
    required = models.BooleanField(default=True)
    resource_links = models.TextField(
        blank=True,
        help_text=_("One link a line: a title, a space and the address, or just the address."),
    )
    is_value_milestone = models.BooleanField(
        _("value milestone"),
        default=False,
        help_text=_("Completing it ends time to value: the customer has seen what they bought."),
    )
    internal = models.BooleanField(
        default=False, help_text=_("Internal to the vendor: never shown to the customer.")
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(
        _("what completes it"), max_length=10, choices=TaskKind.choices, default="", blank=True
    )

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
        db_table = "successplans_checklisttemplate"
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
        db_table = "successplans_templatephase"


class TemplateTask(TaskFields):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="tasks")
    default_role = models.CharField(
        _("default assignee"), max_length=10, choices=AssigneeRole.choices, blank=True
    )
    due_offset_days = models.PositiveIntegerField(
        _("due, days after kickoff"),
        default=0,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
    )

    class Meta:
        db_table = "successplans_templatetask"
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
        _("remind the CSM after"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        db_table = "successplans_checklist"
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
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        if not self.template_name:
            return ""
        return stored_text(gettext_noop("from “%(template)s”"), template=self.template_name)

    @property
    def time_to_value(self) -> int | None:
        """:func:`onboarding.figures.time_to_value`, the one definition."""
        from .figures import time_to_value

        return time_to_value(self)


class ChecklistPhase(PhaseFields):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="phases")

    class Meta(PhaseFields.Meta):
        db_table = "successplans_checklistphase"


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

    # Set on the tasks a page lists (onboarding.views.checklist.task_rows), not stored.
    url: str
    workable: bool
    overdue: bool

    class Meta:
        db_table = "successplans_task"
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
        db_table = "successplans_taskcomment"
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
        db_table = "successplans_remindersent"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"Reminder to {self.user} on {self.day}"


class FieldType(models.TextChoices):
    """What a form field asks for; each type checks its answer (:meth:`FormFieldBase.parse`)."""

    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Choice")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")


MAX_TEXT_ANSWER = 500
MAX_LONG_TEXT_ANSWER = 5000


class FormFieldBase(models.Model):
    """One question of a form task, in a template and on an account's checklist alike."""

    label = models.CharField(max_length=200)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    required = models.BooleanField(default=True)
    help_text = models.CharField(max_length=300, blank=True)
    options = models.TextField(blank=True, help_text=_("For a choice: one option a line."))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


class TemplateFormField(FormFieldBase):
    """A question of a template task: a template task with questions is a form task."""

    task = models.ForeignKey(TemplateTask, on_delete=models.CASCADE, related_name="form_fields")

    class Meta(FormFieldBase.Meta):
        pass


class TaskFormField(FormFieldBase):
    """A question of a checklist's form task, copied from its template (later template edits
    do not reach it). ``template_field`` links it back, so the answers of every account started
    from one template line up in one export."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="form_fields")
    template_field = models.ForeignKey(
        TemplateFormField, on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta(FormFieldBase.Meta):
        pass


class FormAnswer(models.Model):
    """The answer to one question of a form task: who gave it last, and when.

    ``value`` is stored as text: a date in ISO form (2026-03-10), a number as written by
    :class:`~decimal.Decimal`, a choice as its option."""

    field = models.OneToOneField(TaskFormField, on_delete=models.CASCADE, related_name="answer")
    value = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Answer to {self.field}"


def position_after(queryset: models.QuerySet[Any]) -> int:
    last = queryset.aggregate(models.Max("position"))["position__max"]
    return 0 if last is None else last + 1

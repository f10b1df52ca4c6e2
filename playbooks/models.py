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
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Account
from portal.content_languages import text_in
from portal.i18n import StoredText

from .words import words


class EventKind(models.TextChoices):
    """Every signal a playbook can start from. What each one's settings are (its N days, its
    threshold) and whether it is raised as it happens or found by the daily scan is in
    :mod:`playbooks.triggers`."""

    # The account and its contracts
    ACCOUNT_CREATED = "account_created", _("Account created")
    STAGE_CHANGED = "stage_changed", _("Lifecycle stage changed")
    SEGMENT_CHANGED = "segment_changed", _("Segment changed")
    TOUCH_MODEL_CHANGED = "touch_model_changed", _("Touch model changed")
    OWNER_CHANGED = "owner_changed", _("Owner CSM changed")
    CONTRACT_STARTED = "contract_started", _("Contract started")
    CONTRACT_EXPANDED = "contract_expanded", _("Contract expanded")
    CONTRACT_CONTRACTED = "contract_contracted", _("Contract contracted")
    CONTRACT_RENEWED = "contract_renewed", _("Contract renewed")
    CONTRACT_CHURNED = "contract_churned", _("Contract churned")
    RENEWAL_DUE = "renewal_due", _("Renewal date in N days")
    # Renewals (the renewals app's pipeline)
    RENEWAL_IN_90_DAYS = "renewal_in_90_days", _("Renewal in 90 days")
    RENEWAL_IN_30_DAYS = "renewal_in_30_days", _("Renewal in 30 days")
    RENEWAL_STAGE_CHANGED = "renewal_stage_changed", _("Renewal stage changed")
    RENEWAL_CHURNED = "renewal_churned", _("Renewal marked churned")
    # Offboarding
    OFFBOARDING_STARTED = "offboarding_started", _("Offboarding started")
    OFFBOARDING_COMPLETED = "offboarding_completed", _("Account offboarded")
    # Onboarding and plans
    ONBOARDING_STARTED = "onboarding_started", _("Onboarding started")
    ONBOARDING_COMPLETED = "onboarding_completed", _("Onboarding completed")
    ONBOARDING_STALLED = "onboarding_stalled", _("Onboarding stalled")
    ONBOARDING_TASK_OVERDUE = "onboarding_task_overdue", _("Required onboarding task overdue")
    ONBOARDING_TASK_COMPLETED = "onboarding_task_completed", _("Onboarding task completed")
    MILESTONE_DONE = "milestone_done", _("Milestone done")
    MILESTONE_MISSED = "milestone_missed", _("Milestone missed")
    SIGNOFF_REJECTED = "signoff_rejected", _("Customer rejected a milestone's sign-off")
    PLAN_HEALTH_CHANGED = "plan_health_changed", _("Success plan health changed band")
    # Surveys
    NPS_DETRACTOR = "nps_detractor", _("NPS detractor response")
    NPS_PASSIVE = "nps_passive", _("NPS passive response")
    NPS_PROMOTER = "nps_promoter", _("NPS promoter response")
    CSAT_LOW = "csat_low", _("Low CSAT response")
    CES_HIGH_EFFORT = "ces_high_effort", _("High-effort CES response")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered (any score)")
    FOLLOW_UP_UNRESOLVED = "follow_up_unresolved", _("Survey follow-up unresolved")
    FOLLOW_UP_RESOLVED = "follow_up_resolved", _("Survey follow-up resolved")
    # Training
    COURSE_PASSED = "course_passed", _("A person passed a course")
    # Reviews
    REVIEW_PUBLISHED = "review_published", _("Business review published")
    REVIEW_ASKED = "review_asked", _("Customer asked for a business review")
    # Health
    HEALTH_BAND_CHANGED = "health_band_changed", _("Health score changed band")
    HEALTH_DROPPED = "health_dropped", _("Health score fell in 7 days")
    HEALTH_PART_LOW = "health_part_low", _("A health part below a threshold")
    # Usage
    USAGE_DROPPED = "usage_dropped", _("Weekly active users down week on week")
    FEATURE_UNUSED = "feature_unused", _("A licensed feature unused")
    SEATS_NEARLY_FULL = "seats_nearly_full", _("Seats used near the seats bought")
    # People and engagement
    CHAMPION_LEFT = "champion_left", _("Champion deactivated or removed")
    EXECUTIVE_LEFT = "executive_left", _("Executive sponsor deactivated or removed")
    PERSON_JOINED = "person_joined", _("A person joined the account")
    PERSON_LEFT = "person_left", _("A person left the account")
    NO_LOGIN = "no_login", _("No customer log-in for N days")
    FIRST_LOGIN = "first_login", _("A person's first log-in")
    # Free text
    COMMENT_ADDED = "comment_added", _("A customer commented")
    SENTIMENT_NEGATIVE = "sentiment_negative", _("Negative comment")
    # A schedule rather than something that happened
    SCHEDULE = "schedule", _("On a schedule")


class Event(models.Model):
    """One thing that happened to an account, recorded once (``source`` names its origin)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=200, help_text=_("What raised it, e.g. response:12; unique per kind.")
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
    """What a step does; each kind's settings, checks and work are in :mod:`playbooks.steps`."""

    CREATE_TASK = "create_task", _("Create a task for the CSM")
    SEND_EMAIL = "send_email", _("Send an e-mail")
    START_ONBOARDING = "start_onboarding", _("Start an onboarding checklist")
    SEND_SURVEY = "send_survey", _("Send a survey")
    SET_ACCOUNT_FIELD = "set_account_field", _("Set the segment, touch model or stage")
    ASSIGN_OWNER = "assign_owner", _("Assign the owner CSM")
    ADD_PLAN_ITEM = "add_plan_item", _("Add an action item to the success plan")
    FLAG_CSQL = "flag_csql", _("Flag an upsell lead (CSQL)")
    NOTIFY_OWNER = "notify_owner", _("Notify the owner in the portal")
    PAUSE_SURVEYS = "pause_surveys", _("Pause surveys for the account")
    ASK_FOR_ADVOCACY = "ask_for_advocacy", _("Ask a promoter for advocacy")


class StopIf(models.TextChoices):
    """A delayed step is skipped when, by its time, this has happened since the run began."""

    NEVER = "", _("Never")
    LOGGED_IN = "logged_in", _("Stop if someone from the account logs in")
    TASK_DONE = "task_done", _("Stop if the run's task is done")
    ANSWERED = "answered", _("Stop if the account answers a survey")


# The texts an e-mail may have a version of in each language, and their longest length.
EMAIL_TEXTS: dict[str, int] = {"subject": 200, "body": 20000}


class EmailTemplate(models.Model):
    """An e-mail a playbook step sends (tech touch): subject and body with merge fields such
    as {first_name}, {account} and {portal_link}."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown; merge fields in braces."))
    # The subject and body in other languages: {"de": {"subject": ..., "body": ...}}. A
    # language or text missing here is sent in the default one (see text_for).
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def text_for(self, language: str) -> tuple[str, str]:
        """(subject, body) a reader of ``language`` gets: the version written in it, else the
        default one. A built-in e-mail's default text that no CS admin has changed is the
        catalogue's, so it reads in ``language`` too; once edited, the edit is sent."""
        from .builtins import built_in_text

        defaults = {"subject": self.subject, "body": self.body}
        texts = text_in(language, defaults=defaults, versions=self.translations)
        for name, default in defaults.items():
            shipped = built_in_text(self.key, name)
            if shipped and texts[name] == default and _same_text(default, shipped):
                with translation.override(language):
                    texts[name] = translation.gettext(shipped)
        return texts["subject"], texts["body"]


def _same_text(written: str, shipped: str) -> bool:
    """Whether ``written`` is ``shipped`` as the e-mail form saves it back unchanged (its line
    ends and outer blank space may differ)."""
    return written.replace("\r\n", "\n").strip() == shipped.strip()


class Playbook(models.Model):
    """When ``trigger`` happens to an account that meets ``conditions``, run the steps."""

    key = models.SlugField(
        max_length=60, blank=True, help_text=_("Set on built-in playbooks, which ship with us.")
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    trigger = models.CharField(max_length=30, choices=EventKind.choices)
    # The trigger's settings, by the names :mod:`playbooks.triggers` gives them, e.g.
    # {"days": 90} for a renewal or {"weekday": 0} for "every Monday".
    trigger_params = models.JSONField(default=dict, blank=True)
    # On the account, by the names :mod:`playbooks.conditions` gives them: lists of segments,
    # touch models, stages, owners, health bands and tags, an MRR range, a renewal window.
    # An empty or missing value means any.
    conditions = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=False)
    # Raised by every edit; a run remembers the version it started from.
    version = models.PositiveIntegerField(default=1)
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
    def name_text(self) -> str:
        """The name as its reader reads it: a built-in playbook's shipped name in their
        language until a CS admin renames it; a name a CS admin wrote, as written."""
        from .builtins import playbook_text

        return playbook_text(self.key, "name", self.name)

    @property
    def description_text(self) -> str:
        """The description as its reader reads it (see :attr:`name_text`)."""
        from .builtins import playbook_text

        return playbook_text(self.key, "description", self.description)

    @property
    def name_words(self) -> StoredText | str:
        """The name to store for later readers: a built-in one's shipped name as a stored text
        (read in each reader's language), else the name as written."""
        from .builtins import shipped

        name = shipped(self.key, "name")
        return StoredText(name) if name and name == self.name.strip() else self.name

    @property
    def activity_label(self) -> StoredText | str:
        name = self.name_words
        if isinstance(name, StoredText):
            return StoredText(gettext_noop("“%(name)s”"), {"name": name})
        return f"“{self.name}”"

    @property
    def conditions_in_words(self) -> str:
        from .conditions import describe  # conditions reads this module

        return describe(self.conditions or {})


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=StepKind.choices, default=StepKind.CREATE_TASK)
    delay_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)])
    stop_if = models.CharField(
        max_length=12, choices=StopIf.choices, default=StopIf.NEVER, blank=True
    )
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["playbook", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(delay_days__lte=365), name="step_delay_in_range")
        ]

    def __str__(self) -> str:
        return f"{self.playbook}: step {self.position + 1} ({self.kind})"

    @property
    def title_text(self) -> str:
        """A task step's title as its reader reads it: a built-in one's as shipped in their
        language, else as written."""
        from .builtins import step_text

        return step_text(str((self.params or {}).get("title") or ""))


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


class PlaybookRun(models.Model):
    """One playbook fired for one account by one event: never twice (the unique constraint)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    reason = models.CharField(max_length=300, help_text=_("Why it fired, in words."))
    # The reason as kept for each reader's language (playbooks.words); {} for a run fired
    # before reasons were kept so: its ``reason`` as written.
    said = models.JSONField(default=dict, blank=True)
    playbook_version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

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
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("playbook “%(name)s”"), name=self.playbook.name_words)

    @property
    def why(self) -> str:
        """Why it fired, in the reader's language."""
        return words(self.said) if self.said else self.reason


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    # Claimed by the scheduler and handed to a job (or being retried): no one else runs it.
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    STOPPED = "stopped", _("Stopped")
    FAILED = "failed", _("Failed")


class RunStep(models.Model):
    """One step of one run, copied from the playbook when the run began, so editing the
    playbook leaves runs under way as they were (unless the CS admin chooses otherwise).
    A waiting step is due at ``due_at``; the scheduler runs it then."""

    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="run_steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    params = models.JSONField(default=dict, blank=True)
    delay_days = models.PositiveSmallIntegerField(default=0)
    stop_if = models.CharField(
        max_length=12, choices=StopIf.choices, default=StopIf.NEVER, blank=True
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=StepStatus.choices, default=StepStatus.WAITING)
    detail = models.CharField(max_length=500, blank=True)
    # The detail as kept for each reader's language (playbooks.words); {} for a step settled
    # before details were kept so: its ``detail`` as written.
    said = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="one_run_step_per_position")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="runstep_waiting_due", condition=Q(status="waiting")
            )
        ]

    def __str__(self) -> str:
        return f"{self.run}: step {self.position + 1} ({self.status})"

    @property
    def outcome(self) -> str:
        """What the step did or why it waits, in the reader's language."""
        return words(self.said) if self.said else self.detail


class AccountPause(models.Model):
    """A CSM paused every playbook for one account (during an escalation, say)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Playbooks paused on {self.account_id}"


class TaskNote(models.Model):
    """A line the CSM adds to a task in place (what they did, what they heard)."""

    task = models.ForeignKey("CSMTask", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


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
    reason = models.TextField(blank=True, help_text=_("Why this needs doing."))
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
        help_text=_("Empty when a playbook made it."),
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
        return f"“{self.title}”"  # after a verb that names it: "created a task “…”"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on < today


class TaskDigestSent(models.Model):
    """One row per person and day the task digest went out: never two in a day (the pattern
    of onboarding's ``ReminderSent``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    task_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_task_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"Task digest to {self.user_id} on {self.day}"

"""Onboarding figures: progress, status, projected go-live and time to value, each defined once.

**Progress** is the share of the checklist's *counted* tasks that are done. A task counts when
it is required and shared with the customer (not internal): :data:`COUNTED` says so for the
database, :func:`is_counted` for tasks already loaded, and a test proves they agree. Optional
tasks are listed but never counted; internal tasks are the vendor's own to-do list, shown to
vendor staff with their own small count (:data:`INTERNAL`), never mixed into the percentage.
So the champion, the CSM, the portfolio, the account page, the e-mails, the API and the PDFs
all read the same number.

**Percent** is :func:`share_percent`: a whole percent, rounded half up. A checklist with no
counted task has no progress to show: the percent is ``None`` ("no data"), never a made-up
100%, and such a checklist is never "completed".

**Status**, from the counted tasks only (:func:`status`, first match wins):

1. completed: there are counted tasks and every one is done;
2. at risk: a counted task is open and past its due date;
3. not started: the kickoff is still to come and no counted task is done;
4. on track: anything else.

**Projected go-live** (:func:`projected_go_live`): the due date of the last open counted
task, where one already overdue counts as due today; ``None`` when no open counted task has a
due date. A completed checklist went live on ``completed_at`` instead.

**Time to value** (:func:`time_to_value`): days from the kickoff to the completion of the
value milestone; ``None`` until it is done.

A page computes these from the tasks it has loaded (:func:`checklist_view`, three queries);
many checklists at once get them from database annotations (:func:`with_figures`, used by
the portfolio's :func:`onboardings_for` and the reminders); one checklist from
:func:`summary` (one query: the health score, the API). :func:`progress_at` gives the progress
as it stood at a moment (the PDFs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypedDict

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Activity, User
from portal import formatting
from portal.formatting import rounded, share

from .models import (
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    FieldType,
    FormAnswer,
    Task,
    TaskFormField,
    TemplateFormField,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The rule ---------------------------------------------------------------------------------------
# The two forms of one rule, side by side: change one, change the other (a test compares them
# on every combination of the fields involved).

#: The tasks that count towards onboarding progress, as a filter on tasks.
COUNTED = Q(required=True, internal=False)


class Countable(Protocol):
    """What the rule reads of a task: a loaded task, or its :class:`TaskFacts`."""

    @property
    def required(self) -> bool: ...

    @property
    def internal(self) -> bool: ...


class Dated(Countable, Protocol):
    @property
    def is_done(self) -> bool: ...

    @property
    def due_date(self) -> date | None: ...


def is_counted(task: Countable) -> bool:
    """Whether a loaded task counts towards onboarding progress (:data:`COUNTED`)."""
    return task.required and not task.internal


#: The vendor's internal tasks, counted apart for vendor staff only: "2 of 3 internal tasks".
INTERNAL = Q(required=True, internal=True)


def is_internal_counted(task: Countable) -> bool:
    """Whether a loaded task counts among the internal tasks (:data:`INTERNAL`)."""
    return task.required and task.internal


def share_percent(done: int, total: int) -> int | None:
    """``done`` of ``total`` as a whole percent, half up (1 of 8 is 13); None when there is
    nothing to count, which pages print as "no data"."""
    value = share(done, total) if total > 0 else None
    return None if value is None else int(rounded(value))


class Status:
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    COMPLETED = "completed"

    LABELS = {
        NOT_STARTED: gettext_lazy("Not started"),
        ON_TRACK: gettext_lazy("On track"),
        AT_RISK: gettext_lazy("At risk"),
        COMPLETED: gettext_lazy("Completed"),
    }


def status(*, done: int, total: int, overdue: int, kickoff_date: date, today: date) -> str:
    """The onboarding's status from its counted tasks (see the module's docstring).

    ``overdue`` is the number of open counted tasks due before ``today``. The portfolio's
    ``rank`` annotation (:func:`with_figures`) says the same in SQL.
    """
    if total and done == total:
        return Status.COMPLETED
    if overdue:
        return Status.AT_RISK
    if kickoff_date > today and done == 0:
        return Status.NOT_STARTED
    return Status.ON_TRACK


def projected_go_live(last_open_due: date | None, today: date) -> date | None:
    """The last open counted task's due date, an overdue one counting as due today."""
    return None if last_open_due is None else max(last_open_due, today)


def time_to_value(checklist: Checklist) -> int | None:
    """Days from kickoff to the value milestone's completion; None until it is done."""
    if checklist.value_reached_at is None:
        return None
    return (timezone.localdate(checklist.value_reached_at) - checklist.kickoff_date).days


def median_time_to_value(checklists: Iterable[Checklist]) -> float | None:
    days = [d for d in (time_to_value(c) for c in checklists) if d is not None]
    return median(days) if days else None


@dataclass(frozen=True)
class Progress:
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int | None:
        return share_percent(self.done, self.total)


@dataclass(frozen=True)
class Figures:
    """One checklist's figures, however they were computed."""

    checklist: Checklist
    progress: Progress
    internal: Progress
    overdue: int  # open counted tasks past their due date
    last_open_due: date | None  # the latest due date among open counted tasks
    today: date

    @property
    def status(self) -> str:
        return status(
            done=self.progress.done,
            total=self.progress.total,
            overdue=self.overdue,
            kickoff_date=self.checklist.kickoff_date,
            today=self.today,
        )

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def projected_go_live(self) -> date | None:
        return None if self.is_completed else projected_go_live(self.last_open_due, self.today)

    @property
    def went_live(self) -> date | None:
        completed_at = self.checklist.completed_at
        return timezone.localdate(completed_at) if self.is_completed and completed_at else None

    @property
    def time_to_value(self) -> int | None:
        return time_to_value(self.checklist)


def figures_of_tasks(checklist: Checklist, tasks: Iterable[Dated], today: date) -> Figures:
    """The figures from tasks already loaded (all of the checklist's, or all but the internal
    ones: those never count)."""
    counted = [t for t in tasks if is_counted(t) or is_internal_counted(t)]
    shared = [t for t in counted if is_counted(t)]
    internal = [t for t in counted if is_internal_counted(t)]
    open_due = [t.due_date for t in shared if not t.is_done and t.due_date is not None]
    return Figures(
        checklist=checklist,
        progress=Progress(sum(1 for t in shared if t.is_done), len(shared)),
        internal=Progress(sum(1 for t in internal if t.is_done), len(internal)),
        overdue=sum(1 for d in open_due if d < today),
        last_open_due=max(open_due, default=None),
        today=today,
    )


# Many checklists at once, in the database ----------------------------------------------------


def _on(path: str, condition: Q) -> Q:
    """``condition`` on tasks, seen from a model that reaches them through ``path``."""
    prefixed = Q()
    prefixed.connector, prefixed.negated = condition.connector, condition.negated
    children: list[Any] = list(condition.children)
    for child in children:
        if isinstance(child, Q):
            prefixed.children.append(_on(path, child))
        else:
            lookup, value = child
            prefixed.children.append((f"{path}__{lookup}", value))
    return prefixed


# The status as a number the portfolio filters and sorts by: at risk first.
RANK = {Status.AT_RISK: 0, Status.ON_TRACK: 1, Status.NOT_STARTED: 2, Status.COMPLETED: 3}


class FigureAnnotations(TypedDict):
    """What :func:`with_figures` adds to each checklist."""

    counted_total: int
    counted_done: int
    counted_overdue: int
    counted_last_open_due: date | None
    internal_total: int
    internal_done: int
    rank: int
    done_share: float | None  # None: no counted task
    go_live: date | None  # None: completed, or no open counted task with a due date


class ActivityAnnotations(FigureAnnotations):
    """:class:`FigureAnnotations` and when someone of the customer last did something."""

    last_customer_activity: datetime | None


def with_figures(
    checklists: QuerySet[Checklist], today: date
) -> QuerySet[WithAnnotations[Checklist, FigureAnnotations]]:
    """``checklists`` annotated with what :func:`figures_of_annotations` needs, plus ``rank``
    (:data:`RANK` of the status), ``done_share`` and ``go_live`` to filter and sort by.
    One query, whatever the number of checklists and tasks."""
    counted, internal = _on("tasks", COUNTED), _on("tasks", INTERNAL)
    done, open_ = Q(tasks__completed_at__isnull=False), Q(tasks__completed_at__isnull=True)
    return checklists.annotate(
        counted_total=Count("tasks", filter=counted),
        counted_done=Count("tasks", filter=counted & done),
        counted_overdue=Count("tasks", filter=counted & open_ & Q(tasks__due_date__lt=today)),
        counted_last_open_due=Max("tasks__due_date", filter=counted & open_),
        internal_total=Count("tasks", filter=internal),
        internal_done=Count("tasks", filter=internal & done),
    ).annotate(
        # status(), in SQL: the same rules in the same order.
        rank=Case(
            When(
                Q(counted_total__gt=0) & Q(counted_done=F("counted_total")),
                then=Value(RANK[Status.COMPLETED]),
            ),
            When(counted_overdue__gt=0, then=Value(RANK[Status.AT_RISK])),
            When(
                Q(kickoff_date__gt=today) & Q(counted_done=0),
                then=Value(RANK[Status.NOT_STARTED]),
            ),
            default=Value(RANK[Status.ON_TRACK]),
            output_field=IntegerField(),
        ),
        # For sorting only: pages print Progress.percent. No counted task: no share (NULL).
        done_share=Case(
            When(counted_total=0, then=Value(None)),
            default=Cast("counted_done", FloatField()) / Cast("counted_total", FloatField()),
            output_field=FloatField(),
        ),
        # projected_go_live(), in SQL (for sorting; a completed checklist has none).
        go_live=Case(
            When(Q(counted_total__gt=0) & Q(counted_done=F("counted_total")), then=Value(None)),
            When(counted_last_open_due__lt=today, then=Value(today)),
            default=F("counted_last_open_due"),
            output_field=DateField(),
        ),
    )


def figures_of_annotations(
    checklist: WithAnnotations[Checklist, FigureAnnotations], today: date
) -> Figures:
    """The figures of a checklist loaded through :func:`with_figures`."""
    return Figures(
        checklist=checklist,
        progress=Progress(checklist.counted_done, checklist.counted_total),
        internal=Progress(checklist.internal_done, checklist.internal_total),
        overdue=checklist.counted_overdue,
        last_open_due=checklist.counted_last_open_due,
        today=today,
    )


def status_of_rank(rank: int) -> str:
    return next(s for s, r in RANK.items() if r == rank)


def summary(checklist: Checklist, today: date | None = None) -> Figures:
    """One checklist's figures in one query: for the health score, the API, anything that
    has the checklist but not its tasks."""
    today = today or timezone.localdate()
    annotated = with_figures(Checklist.objects.filter(pk=checklist.pk), today).get()
    annotated.account = checklist.account  # already loaded by the caller, most often
    return figures_of_annotations(annotated, today)


def progress_at(checklist: Checklist, moment: datetime) -> Progress:
    """The progress as it stood at ``moment``: counted tasks completed before it (for the
    PDFs of a past period). The tasks are today's: a task added since counts as open, one
    reopened since as not done. One query."""
    counts = checklist.tasks.filter(COUNTED).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(completed_at__lt=moment))
    )
    return Progress(counts["done"], counts["total"])


# One checklist as one viewer sees it -----------------------------------------------------------


@dataclass
class PhaseView:
    phase: ChecklistPhase
    tasks: list[Task] = field(default_factory=list)

    @property
    def progress(self) -> Progress:
        shared = [t for t in self.tasks if is_counted(t)]
        return Progress(sum(1 for t in shared if t.is_done), len(shared))


@dataclass
class ChecklistView:
    """A checklist as one viewer sees it: customers never see internal tasks (they do not
    count, so every viewer reads the same figures)."""

    checklist: Checklist
    phases: list[PhaseView]
    tasks: list[Task]
    mine: list[Task]
    figures: Figures
    today: date

    @property
    def progress(self) -> Progress:
        return self.figures.progress

    @property
    def upcoming(self) -> list[Task]:
        """The next three open tasks by due date (the account page's panel)."""
        dated = [(t.due_date, t) for t in self.tasks if not t.is_done and t.due_date is not None]
        return [t for _, t in sorted(dated, key=lambda pair: pair[0])][:3]


def checklist_view(
    checklist: Checklist, *, viewer_id: int, with_internal: bool, today: date | None = None
) -> ChecklistView:
    """Load the checklist's phases and tasks (three queries, whatever their number)."""
    today = today or timezone.localdate()
    tasks_qs = checklist.tasks.select_related("assignee", "completed_by").order_by("position", "pk")
    if not with_internal:
        tasks_qs = tasks_qs.filter(internal=False)
    tasks = list(tasks_qs.annotate(comment_count=Count("comments")))
    phases = {p.pk: PhaseView(p) for p in checklist.phases.all()}
    for task in tasks:
        phases[task.phase_id].tasks.append(task)
    mine = [t for t in tasks if t.assignee_id == viewer_id and not t.is_done]
    mine.sort(key=lambda t: (t.due_date is None, t.due_date))
    return ChecklistView(
        checklist=checklist,
        phases=list(phases.values()),
        tasks=tasks,
        mine=mine,
        figures=figures_of_tasks(checklist, tasks, today),
        today=today,
    )


# One checklist's page, without loading its tasks ------------------------------------------------

#: The open tasks of "Your tasks" a page lists at most; the count says how many there are.
MINE_SHOWN = 10


@dataclass(frozen=True)
class PhaseSummary:
    """One phase as a viewer sees it: its progress and how many of its tasks they see (the
    tasks themselves load on their own, a page at a time)."""

    phase: ChecklistPhase
    progress: Progress
    shown: int  # tasks this viewer sees in it (customers never see internal ones)


@dataclass(frozen=True)
class ChecklistSummary:
    """A checklist's figures, its phases with their progress, and the viewer's first open
    tasks: what the checklist page shows before any task list is loaded."""

    checklist: Checklist
    phases: list[PhaseSummary]
    figures: Figures
    mine: list[Task]
    mine_count: int
    today: date

    @property
    def shown(self) -> int:
        return sum(p.shown for p in self.phases)


class TaskFacts(NamedTuple):
    """The few fields of a task the figures read, loaded without the task itself."""

    phase_id: int
    required: bool
    internal: bool
    completed_at: datetime | None
    due_date: date | None
    assignee_id: int | None

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


def checklist_summary(
    checklist: Checklist, *, viewer_id: int, with_internal: bool, today: date | None = None
) -> ChecklistSummary:
    """The checklist's phases and figures from a few fields of each task (one query for the
    phases, one for those fields) and the viewer's first :data:`MINE_SHOWN` open tasks (one
    query), whatever the number of tasks. The figures are :func:`figures_of_tasks`'s."""
    today = today or timezone.localdate()
    tasks = checklist.tasks.all()
    if not with_internal:
        tasks = tasks.filter(internal=False)
    facts = [
        TaskFacts(*row)
        for row in tasks.order_by().values_list(
            "phase_id", "required", "internal", "completed_at", "due_date", "assignee_id"
        )
    ]
    by_phase: dict[int, list[TaskFacts]] = {}
    for fact in facts:
        by_phase.setdefault(fact.phase_id, []).append(fact)
    phases = []
    for phase in checklist.phases.order_by("position", "pk"):
        shown = by_phase.get(phase.pk, [])
        counted = [t for t in shown if is_counted(t)]
        progress = Progress(sum(1 for t in counted if t.is_done), len(counted))
        phases.append(PhaseSummary(phase, progress, len(shown)))
    mine_count = sum(1 for t in facts if t.assignee_id == viewer_id and not t.is_done)
    mine: list[Task] = []
    if mine_count:
        mine = list(
            tasks.filter(assignee_id=viewer_id, completed_at__isnull=True)
            .only("pk", "title", "due_date", "checklist_id")
            .order_by(F("due_date").asc(nulls_last=True), "position", "pk")[:MINE_SHOWN]
        )
    return ChecklistSummary(
        checklist=checklist,
        phases=phases,
        figures=figures_of_tasks(checklist, facts, today),
        mine=mine,
        mine_count=mine_count,
        today=today,
    )


def phase_tasks(phase: ChecklistPhase, *, with_internal: bool) -> QuerySet[Task]:
    """A phase's tasks in their order, as a viewer sees them, with what their row shows."""
    tasks = phase.tasks.select_related("assignee", "completed_by").order_by("position", "pk")
    if not with_internal:
        tasks = tasks.filter(internal=False)
    return tasks.annotate(comment_count=Count("comments"))


# The onboarding portfolio ----------------------------------------------------------------------


def onboardings_for(
    user: User, today: date | None = None
) -> QuerySet[WithAnnotations[Checklist, ActivityAnnotations]]:
    """The checklists of the accounts ``user`` may see, with their figures and the last
    customer activity, computed in the database."""
    today = today or timezone.localdate()
    checklists = Checklist.objects.filter(
        account__in=Account.objects.visible_to(user)
    ).select_related("account", "account__owner")
    return with_figures(checklists, today).annotate(
        last_customer_activity=_last_customer_activity()
    )


# Stalled onboardings ---------------------------------------------------------------------------


def _last_customer_activity() -> Subquery:
    return Subquery(
        Activity.objects.filter(
            account=OuterRef("account"), actor__isnull=False, actor__vendor_role=""
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )


def unfinished_checklists(
    today: date, accounts: QuerySet[Account] | None = None
) -> list[WithAnnotations[Checklist, ActivityAnnotations]]:
    """Every unfinished onboarding (of ``accounts``, all by default) with its figures and the
    customer's last activity: one query."""
    checklists = Checklist.objects.filter(completed_at__isnull=True).select_related(
        "account__owner"
    )
    if accounts is not None:
        checklists = checklists.filter(account__in=accounts.order_by().values("pk"))
    return list(
        with_figures(checklists, today).annotate(last_customer_activity=_last_customer_activity())
    )


@dataclass(frozen=True)
class Idle:
    """An onboarding nobody at the customer has touched for a while."""

    checklist: Checklist
    since: date  # the customer's last activity, or the day onboarding started
    idle_days: int
    has_activity: bool


def stalled(
    checklists: Iterable[WithAnnotations[Checklist, ActivityAnnotations]], today: date, days: int
) -> list[Idle]:
    """Of ``checklists`` (from :func:`unfinished_checklists`), those kicked off with no
    customer activity for ``days`` days or more, counted from the last activity or, with
    none, from the day onboarding started. The reminders (with the portal's
    ``ONBOARDING_STALLED_DAYS``) and the playbooks (with their own days) both read this."""
    found = []
    for checklist in checklists:
        if checklist.kickoff_date > today:
            continue
        last = checklist.last_customer_activity
        since = timezone.localdate(last or checklist.started_at)
        idle_days = (today - since).days
        if idle_days >= days:
            found.append(Idle(checklist, since, idle_days, last is not None))
    return found


# Form tasks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredField:
    """One question of a form task with its answer as the pages show it (``None`` unanswered)."""

    field: TaskFormField
    answer: FormAnswer | None

    @property
    def shown(self) -> str:
        """The answer in words: a date as "10 Mar 2026", anything else as given."""
        if self.answer is None:
            return ""
        if self.field.field_type == FieldType.DATE:
            return formatting.short_date(date.fromisoformat(self.answer.value))
        return self.answer.value


def form_answers(task: Task) -> list[AnsweredField]:
    """A form task's questions in order, each with its answer: one query."""
    fields = task.form_fields.select_related("answer__answered_by").order_by("position", "pk")
    return [AnsweredField(field, getattr(field, "answer", None)) for field in fields]


def form_progress(answered: list[AnsweredField]) -> tuple[int, int]:
    """(required questions answered, required questions)."""
    required = [a for a in answered if a.field.required]
    return sum(1 for a in required if a.answer is not None), len(required)


def task_form_rows(task: Task) -> Iterator[list[str]]:
    """One form task's answers for a CSV: a header, then one row a question."""
    yield [
        _("Account"),
        _("Task"),
        _("Question"),
        _("Type"),
        _("Answer"),
        _("Answered by"),
        _("Answered at"),
    ]
    account = task.checklist.account.name
    for item in form_answers(task):
        answer = item.answer
        yield [
            account,
            task.title,
            item.field.label,
            item.field.get_field_type_display(),
            answer.value if answer else "",
            answer.answered_by.display_name if answer else "",
            timezone.localtime(answer.answered_at).isoformat(timespec="seconds") if answer else "",
        ]


def template_form_fields(template: ChecklistTemplate) -> list[TemplateFormField]:
    """Every question of a template's form tasks, in the checklist's order."""
    return list(
        TemplateFormField.objects.filter(task__phase__template=template)
        .select_related("task__phase")
        .order_by(
            "task__phase__position",
            "task__phase__pk",
            "task__position",
            "task__pk",
            "position",
            "pk",
        )
    )


def template_form_rows(
    template: ChecklistTemplate, accounts: QuerySet[Account]
) -> Iterator[list[str]]:
    """The answers to a template's forms across ``accounts`` (those the viewer may see): a
    header with a column a question, then one row an account started from the template.
    Three queries however many accounts and answers there are."""
    questions = template_form_fields(template)
    yield [_("Account"), *(f"{q.task.title}: {q.label}" for q in questions)]
    checklists = (
        Checklist.objects.filter(template=template, account__in=accounts.order_by().values("pk"))
        .select_related("account")
        .order_by("account__name", "pk")
    )
    answers: dict[tuple[int, int], str] = {
        (row["field__task__checklist_id"], row["field__template_field_id"]): row["value"]
        for row in FormAnswer.objects.filter(
            field__task__checklist__template=template,
            field__task__checklist__account__in=accounts.order_by().values("pk"),
            field__template_field__isnull=False,
        ).values("field__task__checklist_id", "field__template_field_id", "value")
    }
    for checklist in checklists:
        yield [
            checklist.account.name,
            *(answers.get((checklist.pk, q.pk), "") for q in questions),
        ]

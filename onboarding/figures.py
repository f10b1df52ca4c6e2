"""Onboarding figures: progress, status, projected go-live and time to value.

Computed in Python from tasks already loaded (a page loads them in a fixed number of queries),
so the page and the e-mails say the same thing. The onboarding portfolio computes the same
figures for many checklists at once in the database (:func:`onboardings_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Account, Activity

from .models import Checklist, ChecklistPhase, Task


class Status:
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    COMPLETED = "completed"

    LABELS = {
        NOT_STARTED: "Not started",
        ON_TRACK: "On track",
        AT_RISK: "At risk",
        COMPLETED: "Completed",
    }


def percent(done: int, total: int) -> int:
    """Whole percent; 100 when there is nothing to do."""
    return 100 if total == 0 else round(100 * done / total)


@dataclass
class Progress:
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)


def progress(tasks: Iterable[Task]) -> Progress:
    """Share of required tasks done."""
    required = [t for t in tasks if t.required]
    return Progress(done=sum(1 for t in required if t.is_done), total=len(required))


def status(checklist: Checklist, tasks: list[Task], today: date | None = None) -> str:
    today = today or timezone.localdate()
    required = [t for t in tasks if t.required]
    if required and all(t.is_done for t in required):
        return Status.COMPLETED
    if any(t.is_overdue(today) for t in required):
        return Status.AT_RISK
    if checklist.kickoff_date > today and not any(t.is_done for t in tasks):
        return Status.NOT_STARTED
    return Status.ON_TRACK


def projected_go_live(tasks: list[Task], today: date | None = None) -> date | None:
    """The day the last open task is due, where an overdue one counts as due today."""
    today = today or timezone.localdate()
    open_dates = [max(t.due_date, today) for t in tasks if not t.is_done and t.due_date]
    return max(open_dates) if open_dates else None


@dataclass
class PhaseView:
    phase: ChecklistPhase
    tasks: list[Task] = field(default_factory=list)

    @property
    def progress(self) -> Progress:
        return progress(self.tasks)


@dataclass
class ChecklistView:
    """A checklist as one viewer sees it: customers never see internal tasks."""

    checklist: Checklist
    phases: list[PhaseView]
    tasks: list[Task]
    mine: list[Task]
    today: date

    @property
    def progress(self) -> Progress:
        return progress(self.tasks)

    @property
    def status(self) -> str:
        return status(self.checklist, self.tasks, self.today)

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def projected_go_live(self) -> date | None:
        return projected_go_live(self.tasks, self.today)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.is_overdue(self.today))


def checklist_view(checklist: Checklist, *, viewer_id: int, customer: bool) -> ChecklistView:
    """Load the checklist's phases and tasks (three queries, whatever their number)."""
    tasks_qs = checklist.tasks.select_related("assignee", "completed_by").order_by("position", "pk")
    if customer:
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
        today=timezone.localdate(),
    )


def median_time_to_value(checklists: Iterable[Checklist]) -> float | None:
    days = [c.time_to_value for c in checklists if c.time_to_value is not None]
    return median(days) if days else None


# The onboarding portfolio ----------------------------------------------------------------------

RANK = {Status.AT_RISK: 0, Status.ON_TRACK: 1, Status.NOT_STARTED: 2, Status.COMPLETED: 3}


def onboardings_for(user: object) -> QuerySet[Checklist]:
    """The portfolio's checklists with their figures, computed in the database."""
    today = timezone.localdate()
    last_customer_activity = (
        Activity.objects.filter(account=OuterRef("account"), actor__vendor_role="")
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    required = Q(tasks__required=True)
    open_task = Q(tasks__completed_at__isnull=True)
    return (
        Checklist.objects.filter(account__in=Account.objects.visible_to(user))
        .select_related("account", "account__owner")
        .annotate(
            required_total=Count("tasks", filter=required),
            required_done=Count("tasks", filter=required & ~open_task),
            overdue=Count("tasks", filter=open_task & Q(tasks__due_date__lt=today)),
            overdue_required=Count(
                "tasks", filter=required & open_task & Q(tasks__due_date__lt=today)
            ),
            done_any=Count("tasks", filter=~open_task),
            last_open_due=Max("tasks__due_date", filter=open_task),
            last_customer_activity=Subquery(last_customer_activity),
        )
        .annotate(
            rank=Case(
                When(Q(required_total__gt=0) & Q(required_done=F("required_total")), then=Value(3)),
                When(overdue_required__gt=0, then=Value(0)),
                When(Q(kickoff_date__gt=today) & Q(done_any=0), then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            done_share=Case(
                When(required_total=0, then=Value(100)),
                default=100 * F("required_done") / F("required_total"),
                output_field=IntegerField(),
            ),
            go_live=Case(
                When(last_open_due__lt=today, then=Value(today)),
                default=F("last_open_due"),
            ),
        )
    )

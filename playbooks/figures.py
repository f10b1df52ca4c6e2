"""What the Today page and the account panel show: open tasks in their sections, by account,
each with where it came from and its latest notes; and the team's load for CS admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import Account, User, VendorRole
from surveys.models import FollowUp

from .models import CSMTask, EventKind, Priority, TaskNote

PRIORITY_RANK: dict[str, int] = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}


@dataclass
class AccountTasks:
    account: Account
    tasks: list[CSMTask] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    empty: str
    groups: list[AccountTasks] = field(default_factory=list)
    total: int | None = None  # every task of the section, when only a page of them is shown

    @property
    def count(self) -> int:
        if self.total is not None:
            return self.total
        return sum(len(g.tasks) for g in self.groups)


NOTES_SHOWN = 3

# Events raised by a survey answer carry the response's id: their task links to its follow-up.
SURVEY_EVENTS = frozenset(
    {
        EventKind.NPS_DETRACTOR,
        EventKind.NPS_PASSIVE,
        EventKind.NPS_PROMOTER,
        EventKind.CSAT_LOW,
        EventKind.CES_HIGH_EFFORT,
    }
)


@dataclass(frozen=True)
class TaskSource:
    """Where a task came from, in words, and a link to it where there is one."""

    label: str
    url: str = ""


def _count(queryset: QuerySet[Any], by: str) -> Any:
    """The number of rows of ``queryset`` (filtered on an OuterRef) as a subquery, 0 for none."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_task_details(tasks: QuerySet[CSMTask]) -> QuerySet[CSMTask]:
    """Tasks with what their rows show: account, assignee, who made them, the event or run
    that fired them, their latest notes and how many notes there are. Three queries."""
    latest_notes = TaskNote.objects.select_related("author").order_by("-created_at", "-pk")
    return (
        tasks.select_related("account", "assignee", "created_by", "event", "run__playbook")
        .annotate(note_count=_count(TaskNote.objects.filter(task=OuterRef("pk")), "task"))
        .prefetch_related(
            Prefetch("notes", queryset=latest_notes[:NOTES_SHOWN], to_attr="latest_notes")
        )
    )


def task_source(task: CSMTask, follow_ups: dict[int, int]) -> TaskSource:
    if task.run_id is not None and task.run is not None:
        return TaskSource(
            gettext("Playbook “%(playbook)s”") % {"playbook": task.run.playbook.name_text},
            reverse("account_home", args=[task.account.slug]),
        )
    if task.event_id is not None and task.event is not None:
        response_id = task.event.data.get("response_id")
        follow_up = follow_ups.get(response_id) if isinstance(response_id, int) else None
        url = reverse("survey_follow_up", args=[follow_up]) if follow_up else ""
        return TaskSource(task.event.get_kind_display(), url)
    if task.created_by is not None:
        return TaskSource(gettext("Added by %(name)s") % {"name": task.created_by.display_name})
    return TaskSource(gettext("Added by hand"))


def attach_sources(tasks: list[CSMTask]) -> list[CSMTask]:
    """Set ``task.source`` on each task; one query for the survey follow-ups, none when no
    task came from a survey answer."""
    response_ids = {
        task.event.data.get("response_id")
        for task in tasks
        if task.event is not None and task.event.kind in SURVEY_EVENTS
    }
    response_ids.discard(None)
    follow_ups: dict[int, int] = {}
    if response_ids:
        follow_ups = dict(
            FollowUp.objects.filter(response_id__in=response_ids).values_list("response_id", "pk")
        )
    for task in tasks:
        task.source = task_source(task, follow_ups)  # type: ignore[attr-defined]
    return tasks


def task_row(task_id: int) -> CSMTask:
    """One task, as a row shows it after a change."""
    task = with_task_details(CSMTask.objects.filter(pk=task_id)).get()
    return attach_sources([task])[0]


def today_sections(tasks: Any, today: date) -> list[Section]:
    """``tasks`` (open, not snoozed; a queryset, or a list already with their details, in
    order) as overdue, due today and upcoming, each grouped by account in the order of its most
    pressing task. A fixed number of queries."""
    sections = [
        Section("overdue", gettext("Overdue"), gettext("Nothing overdue.")),
        Section("today", gettext("Due today"), gettext("Nothing else is due today.")),
        Section("upcoming", gettext("Upcoming"), gettext("Nothing coming up.")),
    ]
    by_key = {s.key: s for s in sections}
    groups: dict[tuple[str, int], AccountTasks] = {}
    if not isinstance(tasks, list):  # a queryset: all of it, with what the rows show
        tasks = list(with_task_details(tasks).order_by("due_on", "pk"))
    rows = attach_sources(tasks)
    for task in rows:
        key = "overdue" if task.due_on < today else "today" if task.due_on == today else "upcoming"
        group = groups.get((key, task.account_id))
        if group is None:
            group = groups[(key, task.account_id)] = AccountTasks(task.account)
            by_key[key].groups.append(group)
        group.tasks.append(task)
    for section in sections:
        for group in section.groups:
            group.tasks.sort(key=lambda t: (t.due_on, PRIORITY_RANK[t.priority], t.pk))
    return sections


TODAY_PAGE = 30  # tasks per page of Today, the most pressing first


def today_board(
    tasks: QuerySet[CSMTask], today: date, page_number: Any
) -> tuple[list[Section], Page[CSMTask]]:
    """One page of ``tasks`` (:data:`TODAY_PAGE`, overdue first) in their sections, each
    section counting all its tasks, not only the page's. A fixed number of queries: the counts
    in one, the page's tasks in three."""
    counts = tasks.order_by().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        today=Count("pk", filter=Q(due_on=today)),
        upcoming=Count("pk", filter=Q(due_on__gt=today)),
    )
    paginator = Paginator(with_task_details(tasks).order_by("due_on", "pk"), TODAY_PAGE)
    paginator.count = sum(counts.values())  # known already: no COUNT query
    page = paginator.get_page(page_number)
    sections = today_sections(list(page.object_list), today)
    for section in sections:
        section.total = counts[section.key]
    return sections, page


def open_tasks_of(account: Account, today: date) -> list[CSMTask]:
    """The account's open tasks, most pressing first, snoozed ones included (marked)."""
    return attach_sources(
        list(
            with_task_details(CSMTask.objects.open().filter(account=account)).order_by(
                "due_on", "pk"
            )[:20]
        )
    )


def team_load(today: date) -> QuerySet[User]:
    """Each active CSM with their open tasks (snoozed ones too), those overdue and due today
    (as Today shows them: not snoozed past today) and the accounts they own. One query,
    however many CSMs."""
    mine = CSMTask.objects.filter(assignee=OuterRef("pk"))
    showing = CSMTask.objects.showing_on(today).filter(assignee=OuterRef("pk"))
    return (
        User.objects.filter(vendor_role=VendorRole.CSM, is_active=True)
        .annotate(
            open_tasks=_count(mine.filter(done_at__isnull=True), "assignee"),
            overdue_tasks=_count(showing.filter(due_on__lt=today), "assignee"),
            due_today_tasks=_count(showing.filter(due_on=today), "assignee"),
            accounts_owned=_count(Account.objects.filter(owner=OuterRef("pk")), "owner"),
        )
        .order_by("name", "email")
    )


def with_open_tasks(accounts: QuerySet[Account], today: date) -> QuerySet[Account]:
    """Accounts annotated with ``open_tasks`` (snoozed ones too) and ``overdue_tasks`` (as
    Today shows them). Subqueries: a page of accounts costs one query."""
    mine = CSMTask.objects.open().filter(account=OuterRef("pk"))
    overdue = CSMTask.objects.showing_on(today).filter(account=OuterRef("pk"), due_on__lt=today)
    return accounts.annotate(
        open_tasks=_count(mine, "account"), overdue_tasks=_count(overdue, "account")
    )

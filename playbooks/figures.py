"""What the Today page and the account panel show: open tasks in their sections, by account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accounts.models import Account

from .models import CSMTask, Priority

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

    @property
    def count(self) -> int:
        return sum(len(g.tasks) for g in self.groups)


def today_sections(tasks: Any, today: date) -> list[Section]:
    """``tasks`` (open, not snoozed) as overdue, due today and upcoming, each grouped by
    account in the order of its most pressing task. One query."""
    sections = [
        Section("overdue", "Overdue", "Nothing overdue."),
        Section("today", "Due today", "Nothing else is due today."),
        Section("upcoming", "Upcoming", "Nothing coming up."),
    ]
    by_key = {s.key: s for s in sections}
    groups: dict[tuple[str, int], AccountTasks] = {}
    rows = tasks.select_related("account", "assignee").order_by("due_on", "pk")
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


def open_tasks_of(account: Account, today: date) -> list[CSMTask]:
    """The account's open tasks, most pressing first, snoozed ones included (marked)."""
    return list(
        CSMTask.objects.open()
        .filter(account=account)
        .select_related("assignee")
        .order_by("due_on", "pk")[:20]
    )

"""The CSM's morning e-mail: their open tasks overdue or due today, by account, with a link to
Today; and the e-mail sent at once when someone else (or a playbook) gives them a task.

Who hears what follows ``accounts.NotificationKind.TASKS``: "off" gets nothing; "digest" and
"immediately" get the morning digest; "immediately" also gets the assignment e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Account, Delivery, NotificationKind, NotificationSetting, User
from accounts.services import Mail, notify, send_notification_mail, tell
from portal.daily_mail import NotAllSent, send_daily
from portal.i18n import interpolate_lazy

from ..models import CSMTask, TaskDigestSent

log = logging.getLogger(__name__)


@dataclass
class AccountTasks:
    account: Account
    tasks: list[CSMTask] = field(default_factory=list)


@dataclass
class TaskDigest:
    user: User
    today: date
    groups: list[AccountTasks] = field(default_factory=list)

    @property
    def tasks(self) -> list[CSMTask]:
        return [task for group in self.groups for task in group.tasks]

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.due_on < self.today)

    @property
    def due_today(self) -> int:
        return sum(1 for task in self.tasks if task.due_on == self.today)

    @property
    def summary(self) -> str:
        parts = []
        if self.overdue:
            parts.append(gettext("%(count)s overdue") % {"count": self.overdue})
        if self.due_today:
            parts.append(gettext("%(count)s due today") % {"count": self.due_today})
        if len(parts) == 2:
            return gettext("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]}
        return "".join(parts)


def collect_task_digests(today: date) -> dict[int, TaskDigest]:
    """Everyone on the vendor's team with open tasks overdue or due on ``today`` (not snoozed
    past it) who has not turned task e-mails off. Reads; two queries however many tasks."""
    muted = set(
        NotificationSetting.objects.filter(
            kind=NotificationKind.TASKS, delivery=Delivery.OFF
        ).values_list("user_id", flat=True)
    )
    tasks = (
        CSMTask.objects.showing_on(today)
        .filter(due_on__lte=today, assignee__is_active=True)
        .exclude(assignee__vendor_role="")
        .select_related("account", "assignee")
        .order_by("assignee_id", "account__name", "account_id", "due_on", "pk")
    )
    digests: dict[int, TaskDigest] = {}
    for task in tasks:
        if task.assignee_id in muted:
            continue
        digest = digests.setdefault(task.assignee_id, TaskDigest(task.assignee, today))
        if not digest.groups or digest.groups[-1].account.pk != task.account_id:
            digest.groups.append(AccountTasks(task.account))
        digest.groups[-1].tasks.append(task)
    return digests


class TaskDigestsNotSent(NotAllSent):
    what = "task digest(s)"


def _links() -> dict[str, str]:
    return {
        "today_url": settings.SITE_URL + reverse("today"),
        "notifications_url": settings.SITE_URL + reverse("notifications"),
    }


def _digest_title(digest: TaskDigest) -> str:
    return gettext("Your tasks today: %(summary)s") % {"summary": digest.summary}


def send_task_digest(digest: TaskDigest) -> None:
    """E-mail the digest (one-click unsubscribe from task e-mails) and put it in the person's
    inbox as one item."""
    send_notification_mail(
        digest.user,
        NotificationKind.TASKS,
        Mail("task_digest", {"digest": digest, "today": digest.today, **_links()}),
    )
    notify(
        [digest.user],
        kind=NotificationKind.TASKS,
        title=lazy(_digest_title, str)(digest),
        url=reverse("today"),
        emailed=True,
    )


def send_task_digests(today: date, *, people: Collection[int] | None = None) -> int:
    """Send ``today``'s task digests, at most one a person a day (the claimed
    ``TaskDigestSent`` row); returns how many went out. Raises :class:`TaskDigestsNotSent`
    after trying everyone if some e-mails failed."""
    return send_daily(
        collect_task_digests(today),
        day=today,
        log_model=TaskDigestSent,
        record=lambda digest: {"task_ids": [task.pk for task in digest.tasks]},
        send=send_task_digest,
        not_all_sent=TaskDigestsNotSent,
        people=people,
    )


def send_task_assigned(task_id: int, assignee_id: int, by_user_id: int | None) -> bool:
    """Tell the assignee, if the task is still open and still theirs: in their inbox, and by
    e-mail now when they want task e-mails immediately. Returns whether an e-mail went out."""
    task = (
        CSMTask.objects.open()
        .filter(pk=task_id, assignee_id=assignee_id)
        .select_related("account", "assignee", "run__playbook")
        .first()
    )
    if task is None or not task.assignee.is_vendor:
        return False
    by = User.objects.filter(pk=by_user_id).first() if by_user_id is not None else None
    given = (
        format_lazy(gettext_lazy("{person} gave you a task"), person=by.display_name)
        if by
        else gettext_lazy("A new task for you")
    )
    return tell(
        task.assignee,
        kind=NotificationKind.TASKS,
        title=interpolate_lazy(
            gettext_lazy("%(given)s on %(account)s: %(task)s"),
            {"given": given, "account": task.account.name, "task": task.title},
        ),
        url=reverse("today") + f"#task-{task.pk}",
        account=task.account,
        body=task.reason[:500],
        mail=Mail("task_assigned", {"task": task, "by": by, **_links()}),
    )

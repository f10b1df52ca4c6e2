"""The CSM's morning e-mail: their open tasks overdue or due today, by account, with a link to
Today; and the e-mail sent at once when someone else (or a playbook) gives them a task.

Who hears what follows ``accounts.NotificationKind.TASKS``: "off" gets nothing; "digest" and
"immediately" get the morning digest; "immediately" also gets the assignment e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Account, Delivery, NotificationKind, NotificationSetting, User
from accounts.services import delivery_for
from portal.mail import send_mail_from_templates

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
            parts.append(f"{self.overdue} overdue")
        if self.due_today:
            parts.append(f"{self.due_today} due today")
        return " and ".join(parts)


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


class TaskDigestsNotSent(Exception):
    """Some e-mails failed; their days were released, so a retry sends just those."""

    def __init__(self, sent: int, failed: list[int]) -> None:
        super().__init__(f"{len(failed)} task digest(s) not sent, {sent} sent")
        self.sent = sent
        self.failed = failed


def _claim(digest: TaskDigest) -> TaskDigestSent | None:
    """Take ``digest.user``'s day, or None when another run already took it."""
    try:
        with transaction.atomic():
            claim, created = TaskDigestSent.objects.get_or_create(
                user=digest.user,
                day=digest.today,
                defaults={"task_ids": [task.pk for task in digest.tasks]},
            )
    except IntegrityError:  # another worker claimed it between our read and our write
        return None
    return claim if created else None


def _links() -> dict[str, str]:
    return {
        "today_url": settings.SITE_URL + reverse("today"),
        "notifications_url": settings.SITE_URL + reverse("notifications"),
    }


def send_task_digest(digest: TaskDigest) -> None:
    send_mail_from_templates(
        "task_digest",
        to=[digest.user.email],
        context={"user": digest.user, "digest": digest, "today": digest.today, **_links()},
    )


def send_task_digests(today: date) -> int:
    """Send ``today``'s task digests; returns how many went out.

    Each person's day is claimed (a ``TaskDigestSent`` row, unique per person and day) before
    the e-mail is sent and released if sending fails, so a second run, or two workers at once,
    never send anyone two. Raises :class:`TaskDigestsNotSent` after trying everyone if some
    e-mails failed.
    """
    digests = collect_task_digests(today)
    already = set(TaskDigestSent.objects.filter(day=today).values_list("user_id", flat=True))
    sent, failed = 0, []
    for user_id, digest in digests.items():
        if user_id in already:
            continue
        claim = _claim(digest)
        if claim is None:
            continue
        try:
            send_task_digest(digest)
        except SoftTimeLimitExceeded:
            TaskDigestSent.objects.filter(pk=claim.pk).delete()
            raise
        except Exception:
            log.exception("task digest to user %s not sent", user_id)
            TaskDigestSent.objects.filter(pk=claim.pk).delete()
            failed.append(user_id)
        else:
            sent += 1
    if failed:
        raise TaskDigestsNotSent(sent, failed)
    return sent


def send_task_assigned(task_id: int, assignee_id: int, by_user_id: int | None) -> bool:
    """E-mail the assignee now, if the task is still open and still theirs and they want task
    e-mails immediately. Returns whether an e-mail went out."""
    task = (
        CSMTask.objects.open()
        .filter(pk=task_id, assignee_id=assignee_id)
        .select_related("account", "assignee", "run__playbook")
        .first()
    )
    if task is None or not task.assignee.is_vendor:
        return False
    if delivery_for(task.assignee, NotificationKind.TASKS) != Delivery.IMMEDIATELY:
        return False
    by = User.objects.filter(pk=by_user_id).first() if by_user_id is not None else None
    send_mail_from_templates(
        "task_assigned",
        to=[task.assignee.email],
        context={"user": task.assignee, "task": task, "by": by, **_links()},
    )
    return True

"""The CSM's tasks: who sees them, and create, complete, snooze, reassign, note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from accounts.activity import record
from accounts.models import Account, User
from portal.jobs import enqueue, enqueue_many

from ..models import CSMTask, CSMTaskQuerySet, Event, Priority, TaskNote

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

SNOOZE_CHOICES: dict[int, _StrOrPromise] = {1: gettext_lazy("a day"), 7: gettext_lazy("a week")}
NOTE_MAX_LENGTH = TaskNote._meta.get_field("body").max_length or 2000


class TaskRefused(Exception):
    """A task change that cannot be made; the message says why, for the person."""


# Who may see what -----------------------------------------------------------------------------


def may_see_every_task(user: User) -> bool:
    return user.is_cs_admin


def visible_tasks(user: User) -> CSMTaskQuerySet:
    """The tasks ``user`` may see and act on: on the accounts they see, or assigned to them."""
    if not user.is_vendor or not user.is_active:
        return CSMTask.objects.none()
    return CSMTask.objects.filter(
        Q(account__in=Account.objects.visible_to(user)) | Q(assignee=user)
    )


def assignable_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(vendor_role="").order_by("name", "email")


# The CSM's tasks ------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    account: Account,
    *,
    title: str,
    due_on: date,
    assignee: User,
    priority: str = Priority.NORMAL,
    reason: str = "",
    event: Event | None = None,
    acting_user: User,
) -> CSMTask:
    if not assignee.is_vendor or not assignee.is_active:
        raise TaskRefused(gettext("A task goes to someone on the customer success team."))
    task = CSMTask.objects.create(
        account=account,
        assignee=assignee,
        title=title,
        due_on=due_on,
        priority=priority,
        reason=reason,
        event=event,
        created_by=acting_user,
    )
    record(
        gettext_noop("created a task"),
        actor=acting_user,
        account=account,
        target=task,
        internal=True,
    )
    announce_assignment_on_commit(task, acting_user=acting_user)
    return task


def announce_assignment_on_commit(task: CSMTask, *, acting_user: User | None) -> None:
    """Tell the assignee a task came to them, unless they gave it to themselves.

    One job row and nothing else in the caller's request: whether they want the e-mail now
    (``NotificationKind.TASKS`` set to "immediately") is asked by the job, off the request.
    ``acting_user`` None is a playbook.
    """
    if acting_user is not None and acting_user.pk == task.assignee_id:
        return
    enqueue(
        "playbooks.send_task_assigned",
        task_id=task.pk,
        assignee_id=task.assignee_id,
        by_user_id=acting_user.pk if acting_user is not None else None,
    )


def announce_assignments_on_commit(tasks: list[CSMTask]) -> None:
    """:func:`announce_assignment_on_commit` for many tasks a playbook made (``acting_user``
    None): one job each, recorded in one insert."""
    enqueue_many(
        "playbooks.send_task_assigned",
        [
            {"task_id": task.pk, "assignee_id": task.assignee_id, "by_user_id": None}
            for task in tasks
        ],
    )


@transaction.atomic
def complete_task(task: CSMTask, *, acting_user: User, now: datetime | None = None) -> CSMTask:
    now = now or timezone.now()
    done = CSMTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=acting_user
    )
    if not done:
        raise TaskRefused(gettext("This task was already done."))
    task.done_at, task.done_by = now, acting_user
    record(
        gettext_noop("completed a task"),
        actor=acting_user,
        account=task.account,
        target=task,
        internal=True,
    )
    return task


@transaction.atomic
def snooze_task(
    task: CSMTask, *, days: int, acting_user: User, today: date | None = None
) -> CSMTask:
    if days not in SNOOZE_CHOICES:
        raise TaskRefused(gettext("Snooze a task for a day or a week."))
    if task.is_done:
        raise TaskRefused(gettext("This task is done; there is nothing to snooze."))
    until = (today or timezone.localdate()) + timedelta(days=days)
    before = task.snoozed_until
    CSMTask.objects.filter(pk=task.pk).update(snoozed_until=until)
    task.snoozed_until = until
    record(
        gettext_noop("snoozed a task"),
        actor=acting_user,
        account=task.account,
        target=task,
        before={"snoozed_until": before.isoformat() if before else None},
        after={"snoozed_until": until.isoformat()},
        internal=True,
    )
    return task


@transaction.atomic
def reassign_task(task: CSMTask, *, assignee: User, acting_user: User) -> CSMTask:
    if not assignee.is_vendor or not assignee.is_active:
        raise TaskRefused(gettext("A task goes to someone on the customer success team."))
    if task.is_done:
        raise TaskRefused(gettext("This task is done; it cannot be handed over."))
    if assignee.pk == task.assignee_id:
        return task
    before = task.assignee
    CSMTask.objects.filter(pk=task.pk).update(assignee=assignee)
    task.assignee = assignee
    record(
        gettext_noop("reassigned a task"),
        actor=acting_user,
        account=task.account,
        target=task,
        before={"assignee": str(before)},
        after={"assignee": str(assignee)},
        internal=True,
    )
    announce_assignment_on_commit(task, acting_user=acting_user)
    return task


@transaction.atomic
def add_task_note(task: CSMTask, *, body: str, acting_user: User) -> TaskNote:
    """A line under a task: what the CSM did or heard. Done tasks take notes too (what
    came of it)."""
    body = body.strip()
    if not body:
        raise TaskRefused(gettext("Write the note first."))
    if len(body) > NOTE_MAX_LENGTH:
        raise TaskRefused(
            gettext("A note is at most %(max)s characters; this one has %(length)s.")
            % {"max": NOTE_MAX_LENGTH, "length": len(body)}
        )
    note = TaskNote.objects.create(task=task, author=acting_user, body=body)
    record(
        gettext_noop("added a note to a task"),
        actor=acting_user,
        account=task.account,
        target=task,
        after={"note": body[:200]},
        internal=True,
    )
    return note


@dataclass(frozen=True)
class Snooze:
    days: int
    label: _StrOrPromise


SNOOZES = [Snooze(days, label) for days, label in SNOOZE_CHOICES.items()]

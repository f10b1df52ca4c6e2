"""The daily onboarding reminders: one e-mail per person and day, whatever it holds.

:func:`collect_reminders` works out who should hear about what (a fixed number of queries,
however many tasks and accounts there are); :func:`send_reminders` claims each person's day
before mailing them, so a second run, or a second worker, sends nothing twice.

What goes to whom:

- an assignee: their open tasks due within ``ONBOARDING_DUE_SOON_DAYS`` (due soon) and those
  overdue by at least the checklist's ``remind_assignee_after`` days. Customer users only hear
  of shared tasks on accounts they belong to; vendor staff of every task of the accounts they
  may see, internal ones included.
- the ladder, for a shared customer-side task that stays overdue: from
  ``remind_champion_after`` days the account's champions are told it is waiting on its
  assignee, from ``remind_csm_after`` days the account's CSM too.
- a CSM: the onboardings of their portfolio with no customer activity for
  ``ONBOARDING_STALLED_DAYS`` days.

Notification settings are honoured: kind "tasks" for task items, "account" for stalled
onboardings; "off" (or a deactivated login) means none of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    CustomerRole,
    Delivery,
    Membership,
    NotificationKind,
    NotificationSetting,
    User,
    VendorRole,
)
from portal.mail import send_mail_from_templates

from .models import Checklist, ReminderSent, Side, Task

log = logging.getLogger(__name__)

DUE_SOON = "due_soon"
OVERDUE = "overdue"
WAITING = "waiting"  # someone else's overdue task, escalated up the ladder
STALLED = "stalled"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _days(count: int) -> str:
    return _plural(count, "day")


@dataclass
class TaskReminder:
    task: Task
    reason: str  # DUE_SOON, OVERDUE or WAITING
    today: date

    @property
    def account(self) -> Account:
        return self.task.checklist.account

    @property
    def days_overdue(self) -> int:
        assert self.task.due_date is not None
        return (self.today - self.task.due_date).days

    @property
    def when(self) -> str:
        """When it is due, in words: "overdue by 3 days", "due today", "due in 2 days"."""
        days = self.days_overdue
        if days > 0:
            return f"overdue by {_days(days)}"
        if days == 0:
            return "due today"
        return "due tomorrow" if days == -1 else f"due in {_days(-days)}"

    @property
    def waiting_on(self) -> str:
        """Who it waits on, in words: "waiting on Jane Doe", or "not assigned to anyone"."""
        assignee = self.task.assignee
        return f"waiting on {assignee.display_name}" if assignee else "not assigned to anyone"

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.task.get_absolute_url()

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task.pk, "reason": self.reason, "days_overdue": self.days_overdue}


@dataclass
class StalledOnboarding:
    checklist: Checklist
    since: date  # the customer's last activity, or the day onboarding started
    idle_days: int
    has_activity: bool

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("onboarding", args=[self.checklist.account.slug])

    def as_json(self) -> dict[str, Any]:
        return {"checklist": self.checklist.pk, "reason": STALLED, "idle_days": self.idle_days}


@dataclass
class AccountReminders:
    """What one person hears about one account."""

    account: Account
    mine: list[TaskReminder] = field(default_factory=list)
    waiting: list[TaskReminder] = field(default_factory=list)
    stalled: StalledOnboarding | None = None

    def sort(self) -> None:
        # Most overdue first, then what falls due soonest.
        self.mine.sort(key=lambda r: (-r.days_overdue, r.task.position, r.task.pk))
        self.waiting.sort(key=lambda r: (-r.days_overdue, r.task.position, r.task.pk))


@dataclass
class Digest:
    """Everything one person is told on one day, grouped by account."""

    user: User
    today: date
    by_account: dict[int, AccountReminders] = field(default_factory=dict)

    def _section(self, account: Account) -> AccountReminders:
        return self.by_account.setdefault(account.pk, AccountReminders(account))

    def add_task(self, task: Task, reason: str) -> None:
        section = self._section(task.checklist.account)
        reminder = TaskReminder(task, reason, self.today)
        (section.waiting if reason == WAITING else section.mine).append(reminder)

    def add_stalled(self, stalled: StalledOnboarding) -> None:
        self._section(stalled.checklist.account).stalled = stalled

    @property
    def sections(self) -> list[AccountReminders]:
        sections = sorted(self.by_account.values(), key=lambda s: (s.account.name, s.account.pk))
        for section in sections:
            section.sort()
        return sections

    def _count(self, reason: str) -> int:
        return sum(
            1 for s in self.by_account.values() for r in s.mine + s.waiting if r.reason == reason
        )

    @property
    def overdue_count(self) -> int:
        return self._count(OVERDUE)

    @property
    def due_soon_count(self) -> int:
        return self._count(DUE_SOON)

    @property
    def waiting_count(self) -> int:
        return self._count(WAITING)

    @property
    def stalled_count(self) -> int:
        return sum(1 for s in self.by_account.values() if s.stalled)

    @property
    def summary(self) -> str:
        """For the subject line: "2 overdue tasks, 1 task due soon, 1 stalled onboarding"."""
        parts = []
        if self.overdue_count:
            parts.append(_plural(self.overdue_count, "overdue task"))
        if self.due_soon_count:
            parts.append(_plural(self.due_soon_count, "task") + " due soon")
        if self.waiting_count:
            parts.append(_plural(self.waiting_count, "task") + " waiting on others")
        if self.stalled_count:
            parts.append(_plural(self.stalled_count, "stalled onboarding"))
        return ", ".join(parts)

    def as_json(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for section in self.sections:
            items += [r.as_json() for r in section.mine + section.waiting]
            if section.stalled:
                items.append(section.stalled.as_json())
        return items


# Collecting ---------------------------------------------------------------------------------


class _Recipients:
    """Who may be told what: notification settings and account membership, loaded once."""

    def __init__(self) -> None:
        # The batch form of accounts.services.delivery_for: a person hears nothing of a kind
        # when their login is deactivated or they turned that kind off. "Immediately" and
        # "digest" both get this daily e-mail, so only "off" needs loading.
        self.muted = set(
            NotificationSetting.objects.filter(
                kind__in=[NotificationKind.TASKS, NotificationKind.ACCOUNT],
                delivery=Delivery.OFF,
            ).values_list("user_id", "kind")
        )
        # The people of every account still onboarding: for the champions, and to re-check
        # that a customer assignee still belongs to the task's account.
        self.members: set[tuple[int, int]] = set()
        self.champions: dict[int, list[User]] = {}
        onboarding = Checklist.objects.filter(completed_at__isnull=True).values("account_id")
        memberships = Membership.objects.filter(account_id__in=onboarding).select_related("user")
        for membership in memberships:
            self.members.add((membership.user_id, membership.account_id))
            if membership.role == CustomerRole.CHAMPION:
                self.champions.setdefault(membership.account_id, []).append(membership.user)

    def wants(self, user: User | None, kind: str) -> bool:
        return user is not None and user.is_active and (user.pk, kind) not in self.muted

    def may_hear_of(self, user: User, task: Task) -> bool:
        """The tenancy rule, re-checked: only tasks of an account the person may see, and a
        customer never hears of an internal task."""
        account = task.checklist.account
        if user.vendor_role == VendorRole.ADMIN:
            return True
        if user.vendor_role == VendorRole.CSM:
            return account.owner_id == user.pk
        return not task.internal and (user.pk, account.pk) in self.members


def _open_tasks(today: date) -> list[Task]:
    """Open tasks of unfinished checklists due by the end of the due-soon window: one query."""
    horizon = today + timedelta(days=settings.ONBOARDING_DUE_SOON_DAYS)
    return list(
        Task.objects.open()
        .filter(checklist__completed_at__isnull=True, due_date__lte=horizon)
        .select_related("checklist__account__owner", "assignee")
        .order_by("due_date", "position", "pk")
    )


def _stalled_onboardings(today: date) -> list[StalledOnboarding]:
    """Unfinished onboardings, already kicked off, with no customer activity for
    ``ONBOARDING_STALLED_DAYS`` days: one query."""
    last_customer_activity = (
        Activity.objects.filter(
            account=OuterRef("account"), actor__isnull=False, actor__vendor_role=""
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    checklists = (
        Checklist.objects.filter(
            completed_at__isnull=True, account__owner__isnull=False, kickoff_date__lte=today
        )
        .select_related("account__owner")
        .annotate(last_customer_activity=Subquery(last_customer_activity))
    )
    stalled = []
    for checklist in checklists:
        last: datetime | None = checklist.last_customer_activity  # type: ignore[attr-defined]
        since = timezone.localdate(last or checklist.started_at)
        idle_days = (today - since).days
        if idle_days >= settings.ONBOARDING_STALLED_DAYS:
            stalled.append(StalledOnboarding(checklist, since, idle_days, last is not None))
    return stalled


def collect_reminders(today: date) -> dict[int, Digest]:
    """Everyone who should get an onboarding reminder on ``today``, with what it says.

    Reads; writes nothing. A fixed number of queries, however many tasks there are.
    """
    recipients = _Recipients()
    digests: dict[int, Digest] = {}

    def digest_for(user: User) -> Digest:
        return digests.setdefault(user.pk, Digest(user=user, today=today))

    for task in _open_tasks(today):
        assert task.due_date is not None
        checklist, assignee = task.checklist, task.assignee
        days_overdue = (today - task.due_date).days
        if (
            assignee is not None
            and recipients.wants(assignee, NotificationKind.TASKS)
            and recipients.may_hear_of(assignee, task)
        ):
            if days_overdue <= 0:
                digest_for(assignee).add_task(task, DUE_SOON)
            elif days_overdue >= checklist.remind_assignee_after:
                digest_for(assignee).add_task(task, OVERDUE)

        # The ladder: only shared customer-side tasks climb it.
        if task.owner_side != Side.CUSTOMER or task.internal or days_overdue <= 0:
            continue
        above: list[User] = []
        if days_overdue >= checklist.remind_champion_after:
            above += recipients.champions.get(checklist.account_id, [])
        owner = checklist.account.owner
        if days_overdue >= checklist.remind_csm_after and owner is not None:
            above.append(owner)
        for person in above:
            if (
                person.pk != task.assignee_id
                and recipients.wants(person, NotificationKind.TASKS)
                and recipients.may_hear_of(person, task)
            ):
                digest_for(person).add_task(task, WAITING)

    for stalled in _stalled_onboardings(today):
        owner = stalled.checklist.account.owner
        assert owner is not None
        if recipients.wants(owner, NotificationKind.ACCOUNT):
            digest_for(owner).add_stalled(stalled)

    return digests


# Sending ------------------------------------------------------------------------------------


class RemindersNotSent(Exception):
    """Some e-mails failed; their days were released, so a retry sends just those."""

    def __init__(self, sent: int, failed: list[int]) -> None:
        super().__init__(f"{len(failed)} onboarding reminder(s) not sent, {sent} sent")
        self.sent = sent
        self.failed = failed


def _claim(digest: Digest) -> ReminderSent | None:
    """Take ``digest.user``'s day, or None when another run already took it."""
    try:
        with transaction.atomic():
            claim, created = ReminderSent.objects.get_or_create(
                user=digest.user, day=digest.today, defaults={"items": digest.as_json()}
            )
    except IntegrityError:  # another worker claimed it between our read and our write
        return None
    return claim if created else None


def send_digest(digest: Digest) -> None:
    send_mail_from_templates(
        "onboarding_reminder",
        to=[digest.user.email],
        context={
            "user": digest.user,
            "digest": digest,
            "today": digest.today,
            "notifications_url": settings.SITE_URL + reverse("notifications"),
        },
    )


def send_reminders(today: date) -> int:
    """Send ``today``'s onboarding reminders; returns how many e-mails went out.

    Each person's day is claimed (a ``ReminderSent`` row, unique per person and day) before
    their e-mail is sent, and released if sending fails, so running this twice, or on two
    workers at once, never sends anyone two. Raises :class:`RemindersNotSent` after trying
    everyone if some e-mails failed.
    """
    digests = collect_reminders(today)
    already = set(ReminderSent.objects.filter(day=today).values_list("user_id", flat=True))
    sent, failed = 0, []
    for user_id, digest in digests.items():
        if user_id in already:
            continue
        claim = _claim(digest)
        if claim is None:
            continue
        try:
            send_digest(digest)
        except SoftTimeLimitExceeded:
            ReminderSent.objects.filter(pk=claim.pk).delete()
            raise
        except Exception:
            log.exception("onboarding reminder to user %s not sent", user_id)
            ReminderSent.objects.filter(pk=claim.pk).delete()
            failed.append(user_id)
        else:
            sent += 1
    if failed:
        raise RemindersNotSent(sent, failed)
    return sent

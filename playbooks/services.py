"""Every write of the playbooks app: events, runs, and the CSM's tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.activity import record
from accounts.models import Account, User

from .models import (
    CSMTask,
    CSMTaskQuerySet,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    Priority,
    StepKind,
)

SNOOZE_CHOICES = {1: "a day", 7: "a week"}
CONDITION_FIELDS = ("segment", "touch_model", "stage")


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


# Events ---------------------------------------------------------------------------------------


def record_event(
    kind: str, *, account_id: int, source: str, data: dict[str, Any], occurred_at: str
) -> Event | None:
    """Store the event once (kind and source are unique); None if its account is gone."""
    if not Account.objects.filter(pk=account_id).exists():
        return None
    when = parse_datetime(occurred_at) if occurred_at else None
    event, _ = Event.objects.get_or_create(
        kind=kind,
        source=source,
        defaults={"account_id": account_id, "data": data, "occurred_at": when or timezone.now()},
    )
    return event


def health_band_event(account_id: int, day: date, band: str, score: int) -> Event | None:
    """A health score saved for ``day``: an event if its band differs from the score before."""
    from insights.models import HealthScore

    previous = (
        HealthScore.objects.filter(account_id=account_id, day__lt=day)
        .order_by("-day")
        .values("band", "score", "day")
        .first()
    )
    if previous is None or previous["band"] == band:
        return None
    return record_event(
        EventKind.HEALTH_BAND_CHANGED,
        account_id=account_id,
        source=f"health:{account_id}:{day.isoformat()}",
        data={
            "from_band": previous["band"],
            "to_band": band,
            "from_score": previous["score"],
            "to_score": score,
            "day": day.isoformat(),
        },
        occurred_at=timezone.now().isoformat(),
    )


def person_left_events(user_id: int, deactivated_at: str) -> list[Event]:
    """A deactivated person: one event per account where they were champion or executive."""
    from accounts.models import Membership

    from .signals import LEAVING_ROLES

    events = []
    for membership in Membership.objects.filter(user_id=user_id, role__in=list(LEAVING_ROLES)):
        event = record_event(
            LEAVING_ROLES[membership.role],
            account_id=membership.account_id,
            source=f"user:{user_id}:deactivated:{deactivated_at}:account:{membership.account_id}",
            data={"user_id": user_id, "role": membership.role, "how": "deactivated"},
            occurred_at=deactivated_at,
        )
        if event is not None:
            events.append(event)
    return events


# Playbooks ------------------------------------------------------------------------------------


def matches(playbook: Playbook, account: Account) -> str | None:
    """Why ``playbook`` applies to ``account`` (in words), or None when a condition fails."""
    reasons = []
    for field in CONDITION_FIELDS:
        wanted = (playbook.conditions or {}).get(field) or []
        if not wanted:
            continue
        value = getattr(account, field)
        if value not in wanted:
            return None
        reasons.append(f"{field.replace('_', ' ')} is {getattr(account, f'get_{field}_display')()}")
    return ", ".join(reasons)


def describe_event(event: Event) -> str:
    data = event.data or {}
    label = event.get_kind_display()
    if "score" in data:
        return f"{label}: {str(data.get('survey_kind', '')).upper()} {data['score']}"
    if event.kind == EventKind.HEALTH_BAND_CHANGED:
        return f"{label}: {data.get('from_band')} to {data.get('to_band')}"
    return label


def evaluate_event(event: Event) -> list[PlaybookRun]:
    """Run every enabled playbook whose trigger is ``event``'s kind on its account, once."""
    account = Account.objects.select_related("owner").get(pk=event.account_id)
    runs = []
    for playbook in Playbook.objects.filter(enabled=True, trigger=event.kind).prefetch_related(
        "steps"
    ):
        why = matches(playbook, account)
        if why is None:
            continue
        run = run_playbook(playbook, account, event, why=why)
        if run is not None:
            runs.append(run)
    return runs


def run_playbook(
    playbook: Playbook, account: Account, event: Event, *, why: str
) -> PlaybookRun | None:
    """Fire ``playbook`` for ``event``; None when it already fired for it (a second delivery)."""
    reason = describe_event(event) + (f" ({why})" if why else "")
    try:
        with transaction.atomic():
            run = PlaybookRun.objects.create(
                playbook=playbook, account=account, event=event, reason=reason[:300]
            )
            outcomes = [_run_step(step, run) for step in playbook.steps.all()]
            run.steps = outcomes
            run.save(update_fields=["steps"])
            record(
                "ran a playbook",
                actor=None,
                account=account,
                target=run,
                after={"why": reason, "steps": [o["detail"] for o in outcomes]},
                internal=True,
            )
    except IntegrityError:
        return None  # fired already for this event: the unique run says so
    return run


def _run_step(step: PlaybookStep, run: PlaybookRun) -> dict[str, Any]:
    outcome: dict[str, Any] = {"position": step.position, "kind": step.kind}
    if step.delay_days:
        # Delayed steps wait for the scheduler of the next slice.
        return {**outcome, "status": "waiting", "detail": f"waits {step.delay_days} days"}
    if step.kind == StepKind.CREATE_TASK:
        task = _create_task_step(step, run)
        if task is None:
            return {**outcome, "status": "skipped", "detail": "the account has no owner CSM"}
        return {**outcome, "status": "done", "detail": f"task “{task.title}” for {task.assignee}"}
    return {**outcome, "status": "failed", "detail": f"unknown step {step.kind}"}


def merge_fields(event: Event) -> dict[str, Any]:
    """What a step's text may name: {person}, {score}, {comment}, {account}."""
    data = event.data or {}
    fields: dict[str, Any] = {"score": data.get("score", ""), "person": "", "comment": ""}
    if data.get("user_id"):
        person = User.objects.filter(pk=data["user_id"]).first()
        fields["person"] = person.display_name if person else "someone"
    if data.get("response_id"):
        from surveys.models import Response

        fields["comment"] = (
            Response.objects.filter(pk=data["response_id"])
            .values_list("comment", flat=True)
            .first()
            or ""
        )
    return fields


def _create_task_step(step: PlaybookStep, run: PlaybookRun) -> CSMTask | None:
    account, event = run.account, run.event
    if account.owner is None:
        return None
    params = step.params or {}
    fields = {**merge_fields(event), "account": account.name}
    reason = params.get("reason", "{why}").format(why=run.reason, **fields).strip()
    if fields["comment"]:
        reason = f"{reason}\nThey said: “{fields['comment']}”"
    task = CSMTask.objects.create(
        account=account,
        assignee=account.owner,
        title=params.get("title", "Follow up").format(**fields)[:200],
        due_on=timezone.localdate() + timedelta(days=int(params.get("due_in_days", 0))),
        priority=params.get("priority", Priority.NORMAL),
        reason=reason,
        event=event,
        run=run,
    )
    record("created a task", actor=None, account=account, target=task, internal=True)
    return task


@transaction.atomic
def set_playbook_enabled(playbook: Playbook, enabled: bool, *, acting_user: User) -> Playbook:
    if playbook.enabled != enabled:
        playbook.enabled = enabled
        playbook.save(update_fields=["enabled", "updated_at"])
        record(
            "enabled a playbook" if enabled else "paused a playbook",
            actor=acting_user,
            target=playbook,
            internal=True,
        )
    return playbook


DETRACTOR_FOLLOW_UP: dict[str, Any] = {
    "key": "detractor-follow-up",
    "name": "Detractor follow-up",
    "description": "An NPS detractor (0–6) gets a call from their CSM within two days.",
    "trigger": EventKind.NPS_DETRACTOR,
    "steps": [
        {
            "kind": StepKind.CREATE_TASK,
            "delay_days": 0,
            "params": {
                "title": "Call {person} about their NPS {score}",
                "due_in_days": 2,
                "priority": Priority.HIGH,
                "reason": "{person} answered NPS {score}.",
            },
        }
    ],
}
BUILT_IN = [DETRACTOR_FOLLOW_UP]


def ensure_built_in_playbooks() -> int:
    """Create the built-in playbooks that are missing (paused); returns how many."""
    created = 0
    for spec in BUILT_IN:
        if Playbook.objects.filter(key=spec["key"]).exists():
            continue
        playbook = Playbook.objects.create(
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            trigger=spec["trigger"],
        )
        for position, step in enumerate(spec["steps"]):
            PlaybookStep.objects.create(playbook=playbook, position=position, **step)
        created += 1
    return created


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
        raise TaskRefused("A task goes to someone on the customer success team.")
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
    record("created a task", actor=acting_user, account=account, target=task, internal=True)
    return task


@transaction.atomic
def complete_task(task: CSMTask, *, acting_user: User, now: datetime | None = None) -> CSMTask:
    now = now or timezone.now()
    done = CSMTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=acting_user
    )
    if not done:
        raise TaskRefused("This task was already done.")
    task.done_at, task.done_by = now, acting_user
    record("completed a task", actor=acting_user, account=task.account, target=task, internal=True)
    return task


@transaction.atomic
def snooze_task(
    task: CSMTask, *, days: int, acting_user: User, today: date | None = None
) -> CSMTask:
    if days not in SNOOZE_CHOICES:
        raise TaskRefused("Snooze a task for a day or a week.")
    if task.is_done:
        raise TaskRefused("This task is done; there is nothing to snooze.")
    until = (today or timezone.localdate()) + timedelta(days=days)
    before = task.snoozed_until
    CSMTask.objects.filter(pk=task.pk).update(snoozed_until=until)
    task.snoozed_until = until
    record(
        "snoozed a task",
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
        raise TaskRefused("A task goes to someone on the customer success team.")
    if task.is_done:
        raise TaskRefused("This task is done; it cannot be handed over.")
    if assignee.pk == task.assignee_id:
        return task
    before = task.assignee
    CSMTask.objects.filter(pk=task.pk).update(assignee=assignee)
    task.assignee = assignee
    record(
        "reassigned a task",
        actor=acting_user,
        account=task.account,
        target=task,
        before={"assignee": str(before)},
        after={"assignee": str(assignee)},
        internal=True,
    )
    return task


@dataclass(frozen=True)
class Snooze:
    days: int
    label: str


SNOOZES = [Snooze(days, label) for days, label in SNOOZE_CHOICES.items()]

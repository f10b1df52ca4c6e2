"""Changes to onboarding templates and checklists. Views and tasks call these."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.access import VENDOR, AccountAccess, Role
from accounts.activity import record, snapshot
from accounts.models import Account, CustomerRole, Membership, User, VendorRole

from .models import (
    AssigneeRole,
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    Side,
    Task,
    TaskComment,
    TemplatePhase,
    TemplateTask,
    position_after,
)

TASK_FIELDS = [
    "title",
    "description",
    "owner_side",
    "required",
    "resource_links",
    "is_value_milestone",
    "internal",
]
CHECKLIST_TASK_FIELDS = [*TASK_FIELDS, "phase", "due_date", "assignee"]


class StaleEdit(Exception):
    """Someone else changed the task since the form was loaded."""

    def __init__(self, task: Task) -> None:
        super().__init__("Someone else changed this task while you were editing it.")
        self.task = task


# Templates ------------------------------------------------------------------------------


@transaction.atomic
def copy_template(template: ChecklistTemplate, *, acting_user: User) -> ChecklistTemplate:
    copy = ChecklistTemplate.objects.create(
        name=f"{template.name} (copy)", description=template.description, created_by=acting_user
    )
    for phase in template.phases.prefetch_related("tasks"):
        new_phase = TemplatePhase.objects.create(
            template=copy, name=phase.name, position=phase.position
        )
        TemplateTask.objects.bulk_create(
            TemplateTask(
                phase=new_phase,
                **{
                    f: getattr(task, f)
                    for f in [*TASK_FIELDS, "default_role", "due_offset_days", "position"]
                },
            )
            for task in phase.tasks.all()
        )
    record("copied a template", actor=acting_user, target=copy, after={"from": template.name})
    return copy


def set_archived(template: ChecklistTemplate, archived: bool, *, acting_user: User) -> None:
    template.archived_at = timezone.now() if archived else None
    template.save(update_fields=["archived_at", "updated_at"])
    record(
        "archived a template" if archived else "restored a template",
        actor=acting_user,
        target=template,
    )


def move(item: Any, siblings: QuerySet[Any], direction: str) -> None:
    """Swap ``item`` with its neighbour above (``up``) or below (``down``) among ``siblings``."""
    ordered = list(siblings.order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    with transaction.atomic():
        for position, sibling in enumerate(ordered):
            if sibling.position != position:
                type(sibling).objects.filter(pk=sibling.pk).update(position=position)


# Starting an account's onboarding ---------------------------------------------------------


def default_assignee(account: Account, role: str) -> User | None:
    if role == AssigneeRole.CSM:
        return account.owner
    if role in CustomerRole.values:
        membership = (
            Membership.objects.filter(account=account, role=role, user__is_active=True)
            .select_related("user")
            .order_by("created_at")
            .first()
        )
        return membership.user if membership else None
    return None


@transaction.atomic
def start_onboarding(
    account: Account, *, template: ChecklistTemplate, kickoff_date: date, acting_user: User
) -> Checklist:
    """Copy ``template`` into ``account``'s checklist: due dates from the offsets, assignees
    from the roles. Later edits of the template never reach it."""
    if Checklist.objects.filter(account=account).exists():
        raise ValidationError("This account's onboarding has already started.")
    if template.archived_at is not None:
        raise ValidationError({"template": "This template is archived."})
    checklist = Checklist.objects.create(
        account=account,
        template=template,
        template_name=template.name,
        kickoff_date=kickoff_date,
        started_by=acting_user,
    )
    assignees: dict[str, User | None] = {}
    for phase in template.phases.prefetch_related("tasks"):
        new_phase = ChecklistPhase.objects.create(
            checklist=checklist, name=phase.name, position=phase.position
        )
        tasks = []
        for task in phase.tasks.all():
            if task.default_role not in assignees:
                assignees[task.default_role] = default_assignee(account, task.default_role)
            tasks.append(
                Task(
                    checklist=checklist,
                    phase=new_phase,
                    due_date=kickoff_date + timedelta(days=task.due_offset_days),
                    assignee=assignees[task.default_role],
                    position=task.position,
                    **{f: getattr(task, f) for f in TASK_FIELDS},
                )
            )
        Task.objects.bulk_create(tasks)
    record(
        "started onboarding",
        actor=acting_user,
        account=account,
        target=checklist,
        after={"template": template.name, "kickoff": kickoff_date.isoformat()},
    )
    return checklist


# Working the checklist ----------------------------------------------------------------------


def may_work(access: AccountAccess, task: Task, user: User) -> bool:
    """Who may tick, undo and comment on a task: vendor staff any; the champion the customer's
    shared tasks; a member the customer tasks assigned to them; executives read."""
    if not access.can("onboarding.work"):
        return False
    if access.role in VENDOR:
        return True
    if task.internal or task.owner_side != Side.CUSTOMER:
        return False
    return access.role == Role.CHAMPION or task.assignee_id == user.pk


def refresh_milestones(checklist: Checklist) -> None:
    """Keep the checklist's completion and value dates in step with its tasks: completed when
    the last required task was done, value reached when the value milestone was."""
    figures = checklist.tasks.aggregate(
        required_count=Count("pk", filter=Q(required=True)),
        required_open=Count("pk", filter=Q(required=True, completed_at__isnull=True)),
        last_done=Max("completed_at", filter=Q(required=True)),
        value_at=Min("completed_at", filter=Q(is_value_milestone=True)),
    )
    done = figures["required_count"] > 0 and figures["required_open"] == 0
    completed_at = figures["last_done"] if done else None
    value_reached_at = figures["value_at"]
    if (completed_at, value_reached_at) != (checklist.completed_at, checklist.value_reached_at):
        checklist.completed_at, checklist.value_reached_at = completed_at, value_reached_at
        checklist.save(update_fields=["completed_at", "value_reached_at"])


@transaction.atomic
def set_task_done(task: Task, done: bool, *, acting_user: User) -> bool:
    """Mark a task done or not done. Says the state wanted, not "toggle", so two people
    ticking at once (or a double click) leave it done once. Returns whether it changed."""
    now = timezone.now()
    tasks = Task.objects.filter(pk=task.pk)
    if done:
        changed = tasks.filter(completed_at__isnull=True).update(
            completed_at=now, completed_by=acting_user, version=F("version") + 1
        )
    else:
        changed = tasks.filter(completed_at__isnull=False).update(
            completed_at=None, completed_by=None, version=F("version") + 1
        )
    task.refresh_from_db()
    if changed:
        checklist = Checklist.objects.select_for_update().get(pk=task.checklist_id)
        refresh_milestones(checklist)
        record(
            "completed a task" if done else "reopened a task",
            actor=acting_user,
            account=checklist.account,
            target=task,
            internal=task.internal,
        )
    return bool(changed)


def assignable_people(account: Account, side: str) -> QuerySet[User]:
    """Who a task of ``side`` may be assigned to: customer tasks to the account's people,
    vendor tasks to the account's CSM and the CS admins."""
    if side == Side.CUSTOMER:
        return User.objects.filter(memberships__account=account, is_active=True).order_by("name")
    vendor = Q(pk=account.owner_id) | Q(vendor_role=VendorRole.ADMIN)
    return User.objects.filter(vendor, is_active=True).order_by("name")


@transaction.atomic
def assign_task(task: Task, assignee: User | None, *, acting_user: User) -> Task:
    account = task.checklist.account
    if (
        assignee is not None
        and not assignable_people(account, task.owner_side).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError({"assignee": "Choose someone who works on this account."})
    before = snapshot(task, ["assignee"])
    if task.assignee_id != (assignee.pk if assignee else None):
        task.assignee = assignee
        task.version += 1
        task.save(update_fields=["assignee", "version"])
        record(
            "assigned a task",
            actor=acting_user,
            account=account,
            target=task,
            before=before,
            after=snapshot(task, ["assignee"]),
            internal=task.internal,
        )
    return task


@transaction.atomic
def comment_on_task(task: Task, body: str, *, author: User) -> TaskComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    comment = TaskComment.objects.create(task=task, author=author, body=body)
    record(
        "commented on a task",
        actor=author,
        account=task.checklist.account,
        target=task,
        after={"comment": body[:200]},
        internal=task.internal,
    )
    return comment


# The CSM edits the account's checklist --------------------------------------------------------


@transaction.atomic
def add_task(
    checklist: Checklist, *, fields: dict[str, Any], client_token: Any, acting_user: User
) -> Task:
    """Add a task; the same form submitted twice adds it once."""
    existing = checklist.tasks.filter(client_token=client_token).first()
    if existing is not None:
        return existing
    phase = fields["phase"]
    task = Task.objects.create(
        checklist=checklist,
        client_token=client_token,
        position=position_after(phase.tasks.all()),
        **fields,
    )
    refresh_milestones(checklist)
    record(
        "added a task",
        actor=acting_user,
        account=checklist.account,
        target=task,
        after=snapshot(task, CHECKLIST_TASK_FIELDS),
        internal=task.internal,
    )
    return task


@transaction.atomic
def update_task(task: Task, *, fields: dict[str, Any], version: int, acting_user: User) -> Task:
    """Save an edit made on version ``version`` of the task; refuse it if the task changed since."""
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.version != version:
        raise StaleEdit(current)
    before = snapshot(current, CHECKLIST_TASK_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    refresh_milestones(current.checklist)
    record(
        "edited a task",
        actor=acting_user,
        account=current.checklist.account,
        target=current,
        before=before,
        after=snapshot(current, CHECKLIST_TASK_FIELDS),
        internal=current.internal,
    )
    return current


@transaction.atomic
def delete_task(task: Task, *, acting_user: User) -> None:
    checklist = task.checklist
    record(
        "removed a task",
        actor=acting_user,
        account=checklist.account,
        target=task,
        before=snapshot(task, CHECKLIST_TASK_FIELDS),
        internal=task.internal,
    )
    task.delete()
    refresh_milestones(checklist)


@transaction.atomic
def move_task(task: Task, direction: str, *, acting_user: User) -> None:
    before = [t.title for t in task.phase.tasks.order_by("position", "pk")]
    move(task, task.phase.tasks.all(), direction)
    after = [t.title for t in task.phase.tasks.order_by("position", "pk")]
    if after != before:
        record(
            f"moved a task {direction}",
            actor=acting_user,
            account=task.checklist.account,
            target=task,
            internal=task.internal,
        )


@transaction.atomic
def update_ladder(checklist: Checklist, *, fields: dict[str, int], acting_user: User) -> None:
    before = snapshot(checklist, list(fields))
    for name, value in fields.items():
        setattr(checklist, name, value)
    checklist.save(update_fields=list(fields))
    record(
        "changed the reminder ladder",
        actor=acting_user,
        account=checklist.account,
        target=checklist,
        before=before,
        after=snapshot(checklist, list(fields)),
        internal=True,
    )


# Template editing -----------------------------------------------------------------------------
# A template belongs to no account: its log entries are internal and name the template.

TEMPLATE_TASK_FIELDS = [*TASK_FIELDS, "default_role", "due_offset_days"]


def _touch(template: ChecklistTemplate) -> None:
    """Phases and tasks changed: the template's "updated" date follows."""
    ChecklistTemplate.objects.filter(pk=template.pk).update(updated_at=timezone.now())


@transaction.atomic
def create_template(*, name: str, description: str = "", acting_user: User) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(
        name=name, description=description, created_by=acting_user
    )
    record(
        "created a template",
        actor=acting_user,
        target=template,
        after=snapshot(template, ["name", "description"]),
        internal=True,
    )
    return template


@transaction.atomic
def update_template(
    template: ChecklistTemplate, *, fields: dict[str, Any], acting_user: User
) -> ChecklistTemplate:
    """Rename or redescribe a template. Checklists already started keep their copy."""
    before = snapshot(template, list(fields))
    for name, value in fields.items():
        setattr(template, name, value)
    template.save(update_fields=[*fields, "updated_at"])
    record(
        "edited a template",
        actor=acting_user,
        target=template,
        before=before,
        after=snapshot(template, list(fields)),
        internal=True,
    )
    return template


@transaction.atomic
def add_phase(template: ChecklistTemplate, *, name: str, acting_user: User) -> TemplatePhase:
    phase = TemplatePhase.objects.create(
        template=template, name=name, position=position_after(template.phases.all())
    )
    _touch(template)
    record(
        "added a phase",
        actor=acting_user,
        target=phase,
        after={"template": template.name, "name": name},
        internal=True,
    )
    return phase


@transaction.atomic
def rename_phase(phase: TemplatePhase, *, name: str, acting_user: User) -> TemplatePhase:
    before = phase.name
    phase.name = name
    phase.save(update_fields=["name"])
    _touch(phase.template)
    record(
        "renamed a phase",
        actor=acting_user,
        target=phase,
        before={"name": before},
        after={"template": phase.template.name, "name": name},
        internal=True,
    )
    return phase


@transaction.atomic
def delete_phase(phase: TemplatePhase, *, acting_user: User) -> None:
    """Delete a phase with its tasks."""
    record(
        "deleted a phase",
        actor=acting_user,
        target=phase,
        before={
            "template": phase.template.name,
            "name": phase.name,
            "tasks": [task.title for task in phase.tasks.all()],
        },
        internal=True,
    )
    _touch(phase.template)
    phase.delete()


@transaction.atomic
def add_template_task(
    phase: TemplatePhase, *, fields: dict[str, Any], acting_user: User
) -> TemplateTask:
    task = TemplateTask.objects.create(
        phase=phase, position=position_after(phase.tasks.all()), **fields
    )
    _touch(phase.template)
    record(
        "added a template task",
        actor=acting_user,
        target=task,
        after={"template": phase.template.name, "phase": phase.name}
        | snapshot(task, TEMPLATE_TASK_FIELDS),
        internal=True,
    )
    return task


@transaction.atomic
def update_template_task(
    task: TemplateTask, *, fields: dict[str, Any], acting_user: User
) -> TemplateTask:
    """Save an edit of a template task; a task moved to another phase goes to its end."""
    tracked = [*TEMPLATE_TASK_FIELDS, "phase"]
    before = snapshot(task, tracked)
    new_phase = fields.get("phase")
    if new_phase is not None and new_phase.pk != task.phase_id:
        if new_phase.template_id != task.phase.template_id:
            raise ValidationError({"phase": "Choose a phase of this template."})
        task.position = position_after(new_phase.tasks.all())
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()
    _touch(task.phase.template)
    record(
        "edited a template task",
        actor=acting_user,
        target=task,
        before=before,
        after=snapshot(task, tracked),
        internal=True,
    )
    return task


@transaction.atomic
def delete_template_task(task: TemplateTask, *, acting_user: User) -> None:
    template = task.phase.template
    record(
        "deleted a template task",
        actor=acting_user,
        target=task,
        before={"template": template.name, "phase": task.phase.name}
        | snapshot(task, TEMPLATE_TASK_FIELDS),
        internal=True,
    )
    task.delete()
    _touch(template)

"""Changes to onboarding templates and checklists, and the daily reminders. Views and tasks
call these."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from accounts.access import AccountAccess, Role
from accounts.activity import record, snapshot
from accounts.mentions import mentionable_people, mentioned_people
from accounts.models import (
    Account,
    CustomerRole,
    Delivery,
    Membership,
    Notification,
    NotificationKind,
    NotificationSetting,
    User,
    VendorRole,
)
from accounts.services import Mail, notify_each, send_notification_mail, tell_owner_of_customer
from portal.daily_mail import NotAllSent, send_daily
from portal.errors import StaleEdit
from portal.jobs import enqueue

from .figures import (
    COUNTED,
    ActivityAnnotations,
    Progress,
    figures_of_annotations,
    unfinished_checklists,
)
from .figures import stalled as stalled_onboardings
from .models import (
    MAX_LONG_TEXT_ANSWER,
    MAX_TEXT_ANSWER,
    AssigneeRole,
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    FieldType,
    FormAnswer,
    FormFieldBase,
    ReminderSent,
    Side,
    Task,
    TaskComment,
    TaskFormField,
    TaskKind,
    TemplateFormField,
    TemplatePhase,
    TemplateTask,
    position_after,
)
from .signals import task_done_changed

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TASK_FIELDS = [
    "title",
    "description",
    "owner_side",
    "required",
    "resource_links",
    "is_value_milestone",
    "internal",
    "kind",
]
CHECKLIST_TASK_FIELDS = [*TASK_FIELDS, "phase", "due_date", "assignee"]

# What :func:`move` reorders: each has a ``position`` among its siblings.
Positioned = TypeVar("Positioned", TemplatePhase, TemplateTask, Task, TemplateFormField)
# What a form field is, as the template editor sets it and as it is copied to a checklist.
FORM_FIELD_FIELDS = ["label", "field_type", "required", "help_text", "options", "position"]


# Templates ------------------------------------------------------------------------------


@transaction.atomic
def copy_template(template: ChecklistTemplate, *, acting_user: User) -> ChecklistTemplate:
    copy = ChecklistTemplate.objects.create(
        name=_("%(name)s (copy)") % {"name": template.name},
        description=template.description,
        created_by=acting_user,
    )
    for phase in template.phases.prefetch_related("tasks__form_fields"):
        new_phase = TemplatePhase.objects.create(
            template=copy, name=phase.name, position=phase.position
        )
        originals = list(phase.tasks.all())
        copies = TemplateTask.objects.bulk_create(
            TemplateTask(
                phase=new_phase,
                **{
                    f: getattr(task, f)
                    for f in [*TASK_FIELDS, "default_role", "due_offset_days", "position"]
                },
            )
            for task in originals
        )
        TemplateFormField.objects.bulk_create(
            TemplateFormField(task=new_task, **{f: getattr(field, f) for f in FORM_FIELD_FIELDS})
            for task, new_task in zip(originals, copies, strict=True)
            for field in task.form_fields.all()
        )
    record(
        gettext_noop("copied a template"),
        actor=acting_user,
        target=copy,
        after={"from": template.name},
    )
    return copy


def set_archived(template: ChecklistTemplate, archived: bool, *, acting_user: User) -> None:
    template.archived_at = timezone.now() if archived else None
    template.save(update_fields=["archived_at", "updated_at"])
    record(
        gettext_noop("archived a template") if archived else gettext_noop("restored a template"),
        actor=acting_user,
        target=template,
    )


def move(item: Positioned, siblings: QuerySet[Positioned], direction: str) -> None:
    """Swap ``item`` with its neighbour above (``up``) or below (``down``) among ``siblings``."""
    if direction not in ("up", "down"):
        raise ValueError(f"Move up or down, not {direction!r}.")
    ordered = list(siblings.order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
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
        raise ValidationError(_("This account's onboarding has already started."))
    if template.archived_at is not None:
        raise ValidationError({"template": _("This template is archived.")})
    checklist = Checklist.objects.create(
        account=account,
        template=template,
        template_name=template.name,
        kickoff_date=kickoff_date,
        started_by=acting_user,
    )
    assignees: dict[str, User | None] = {}
    for phase in template.phases.prefetch_related("tasks__form_fields"):
        new_phase = ChecklistPhase.objects.create(
            checklist=checklist, name=phase.name, position=phase.position
        )
        tasks = []
        originals = list(phase.tasks.all())
        for task in originals:
            if task.default_role not in assignees:
                assignees[task.default_role] = default_assignee(account, task.default_role)
            tasks.append(
                Task(
                    checklist=checklist,
                    phase=new_phase,
                    due_date=kickoff_date + timedelta(days=task.due_offset_days),
                    assignee=assignees[task.default_role],
                    position=task.position,
                    # A template task with questions is a form task; otherwise it keeps its
                    # template's kind (ticked, or done on an upload).
                    **{f: getattr(task, f) for f in TASK_FIELDS}
                    | ({"kind": TaskKind.FORM} if task.form_fields.all() else {}),
                )
            )
        Task.objects.bulk_create(tasks)
        TaskFormField.objects.bulk_create(
            TaskFormField(
                task=new_task,
                template_field=field,
                **{f: getattr(field, f) for f in FORM_FIELD_FIELDS},
            )
            for task, new_task in zip(originals, tasks, strict=True)
            for field in task.form_fields.all()
        )
    record(
        gettext_noop("started onboarding"),
        actor=acting_user,
        account=account,
        target=checklist,
        after={"template": template.name, "kickoff": kickoff_date.isoformat()},
    )
    return checklist


# Working the checklist ----------------------------------------------------------------------


def may_see_internal(access: AccountAccess) -> bool:
    return access.can("onboarding.internal")


def may_work(access: AccountAccess, task: Task, user: User) -> bool:
    """Who may tick and undo a task: vendor staff any; the champion the customer's shared
    tasks; a member the customer tasks assigned to them; executives read."""
    if not access.can("onboarding.work"):
        return False
    if access.can("onboarding.manage"):
        return True
    if task.kind in (TaskKind.COURSE, TaskKind.UPLOAD):
        # Completes when the course is passed, or when the customer uploads the file.
        return False
    if task.kind == TaskKind.FORM:  # completes when its form is answered (answer_form)
        return False
    if task.internal or task.owner_side != Side.CUSTOMER:
        return False
    return access.role == Role.CHAMPION or task.assignee_id == user.pk


def may_comment(access: AccountAccess, task: Task) -> bool:
    """Who may comment on a task: champions, members and vendor staff on every task they can
    see, whichever side owns it; internal tasks stay the vendor's; executives read."""
    return access.can("onboarding.work") and (not task.internal or may_see_internal(access))


def may_assign(access: AccountAccess, task: Task) -> bool:
    """Who may choose a task's assignee: vendor staff any task; the champion customer tasks."""
    if not access.can("onboarding.assign"):
        return False
    return access.can("onboarding.manage") or (
        task.owner_side == Side.CUSTOMER and not task.internal
    )


def refresh_milestones(checklist: Checklist) -> None:
    """Keep the checklist's completion and value dates in step with its tasks: completed when
    the last counted task (required, shared: figures.COUNTED) was done, value reached when the
    value milestone was."""
    figures = checklist.tasks.aggregate(
        counted=Count("pk", filter=COUNTED),
        counted_open=Count("pk", filter=COUNTED & Q(completed_at__isnull=True)),
        last_done=Max("completed_at", filter=COUNTED),
        value_at=Min("completed_at", filter=Q(is_value_milestone=True)),
    )
    done = figures["counted"] > 0 and figures["counted_open"] == 0
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
        task_done_changed.send(sender=Task, task=task, account_id=checklist.account_id, done=done)
        record(
            gettext_noop("completed a task") if done else gettext_noop("reopened a task"),
            actor=acting_user,
            account=checklist.account,
            target=task,
            internal=task.internal,
        )
        if done:
            tell_owner_of_customer(
                checklist.account,
                acting_user=acting_user,
                kind=NotificationKind.TASKS,
                title=format_lazy(
                    gettext_lazy("{person} completed “{task}”"),
                    person=acting_user.display_name,
                    task=task.title,
                ),
                url=task.get_absolute_url(),
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
        raise ValidationError({"assignee": _("Choose someone who works on this account.")})
    before = snapshot(task, ["assignee"])
    if task.assignee_id != (assignee.pk if assignee else None):
        task.assignee = assignee
        task.version += 1
        task.save(update_fields=["assignee", "version"])
        record(
            gettext_noop("assigned a task"),
            actor=acting_user,
            account=account,
            target=task,
            before=before,
            after=snapshot(task, ["assignee"]),
            internal=task.internal,
        )
    return task


@transaction.atomic
def comment_on_task(task: Task, body: str, *, acting_user: User) -> TaskComment:
    """Add a comment; everyone it @mentions who may read the task hears of it by e-mail,
    after commit (a customer is never told of an internal task)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    account = task.checklist.account
    comment = TaskComment.objects.create(task=task, author=acting_user, body=body)
    record(
        gettext_noop("commented on a task"),
        actor=acting_user,
        account=account,
        target=task,
        after={"comment": body[:200]},
        internal=task.internal,
    )
    readers = mentionable_people(account, vendor_only=task.internal)
    mentioned = {person.pk for person in mentioned_people(body, readers)} - {acting_user.pk}
    for person_pk in sorted(mentioned):
        enqueue("onboarding.send_task_mention", comment_id=comment.pk, user_id=person_pk)
    if account.owner_id not in mentioned:  # a mention tells them already
        tell_owner_of_customer(
            account,
            acting_user=acting_user,
            kind=NotificationKind.TASKS,
            title=format_lazy(
                gettext_lazy("{person} commented on “{task}”"),
                person=acting_user.display_name,
                task=task.title,
            ),
            url=task.get_absolute_url() + "#comments",
            body=body[:500],
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
        gettext_noop("added a task"),
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
        gettext_noop("edited a task"),
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
        gettext_noop("removed a task"),
        actor=acting_user,
        account=checklist.account,
        target=task,
        before=snapshot(task, CHECKLIST_TASK_FIELDS),
        internal=task.internal,
    )
    task.delete()
    refresh_milestones(checklist)


# What the log says of a move (verbs are stored in English and translated when read).
MOVED_TASK = {"up": gettext_noop("moved a task up"), "down": gettext_noop("moved a task down")}
MOVED_FORM_FIELD = {
    "up": gettext_noop("moved a form field up"),
    "down": gettext_noop("moved a form field down"),
}


@transaction.atomic
def move_task(task: Task, direction: str, *, acting_user: User) -> None:
    before = [t.title for t in task.phase.tasks.order_by("position", "pk")]
    move(task, task.phase.tasks.all(), direction)
    after = [t.title for t in task.phase.tasks.order_by("position", "pk")]
    if after != before:
        record(
            MOVED_TASK[direction],
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
        gettext_noop("changed the reminder ladder"),
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
        gettext_noop("created a template"),
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
        gettext_noop("edited a template"),
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
        gettext_noop("added a phase"),
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
        gettext_noop("renamed a phase"),
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
        gettext_noop("deleted a phase"),
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
        gettext_noop("added a template task"),
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
            raise ValidationError({"phase": _("Choose a phase of this template.")})
        task.position = position_after(new_phase.tasks.all())
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()
    _touch(task.phase.template)
    record(
        gettext_noop("edited a template task"),
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
        gettext_noop("deleted a template task"),
        actor=acting_user,
        target=task,
        before={"template": template.name, "phase": task.phase.name}
        | snapshot(task, TEMPLATE_TASK_FIELDS),
        internal=True,
    )
    task.delete()
    _touch(template)


# Form tasks: the questions in the template ------------------------------------------------------


def check_form_field(fields: dict[str, Any]) -> None:
    """What every form field needs, whoever sets it (the editor's form says the same first):
    a label, a type that exists, and options for a choice."""
    errors: dict[str, str] = {}
    if not str(fields.get("label", "")).strip():
        errors["label"] = _("Give the question a label.")
    if fields.get("field_type") not in FieldType.values:
        errors["field_type"] = _("Choose a type from the list: %(types)s") % {
            "types": ", ".join(str(label).lower() for label in FieldType.labels)
        }
    elif fields["field_type"] == FieldType.CHOICE:
        options = [o for o in str(fields.get("options", "")).splitlines() if o.strip()]
        if not options:
            errors["options"] = _("A choice needs options: write one a line.")
        elif len({o.strip() for o in options}) != len(options):
            errors["options"] = _("Each option is written once.")
    if errors:
        raise ValidationError(errors)


def _form_field_snapshot(field: TemplateFormField) -> dict[str, Any]:
    return {"task": field.task.title} | snapshot(field, FORM_FIELD_FIELDS[:-1])


@transaction.atomic
def add_template_form_field(
    task: TemplateTask, *, fields: dict[str, Any], acting_user: User
) -> TemplateFormField:
    """Add a question to a template task (which makes it a form task)."""
    check_form_field(fields)
    field = TemplateFormField.objects.create(
        task=task, position=position_after(task.form_fields.all()), **fields
    )
    _touch(task.phase.template)
    record(
        gettext_noop("added a form field"),
        actor=acting_user,
        target=task,
        after=_form_field_snapshot(field),
        internal=True,
    )
    return field


@transaction.atomic
def update_template_form_field(
    field: TemplateFormField, *, fields: dict[str, Any], acting_user: User
) -> TemplateFormField:
    check_form_field(fields)
    before = _form_field_snapshot(field)
    for name, value in fields.items():
        setattr(field, name, value)
    field.save()
    _touch(field.task.phase.template)
    record(
        gettext_noop("edited a form field"),
        actor=acting_user,
        target=field.task,
        before=before,
        after=_form_field_snapshot(field),
        internal=True,
    )
    return field


@transaction.atomic
def move_template_form_field(
    field: TemplateFormField, direction: str, *, acting_user: User
) -> None:
    before = list(field.task.form_fields.values_list("pk", flat=True))
    move(field, field.task.form_fields.all(), direction)
    if list(field.task.form_fields.values_list("pk", flat=True)) != before:
        _touch(field.task.phase.template)
        record(
            MOVED_FORM_FIELD[direction],
            actor=acting_user,
            target=field.task,
            after={"label": field.label},
            internal=True,
        )


@transaction.atomic
def delete_template_form_field(field: TemplateFormField, *, acting_user: User) -> None:
    """Remove a question from a template; checklists already started keep their copy."""
    record(
        gettext_noop("removed a form field"),
        actor=acting_user,
        target=field.task,
        before=_form_field_snapshot(field),
        internal=True,
    )
    field.delete()
    _touch(field.task.phase.template)


# Form tasks: the customer's answers -----------------------------------------------------------


def may_fill_form(access: AccountAccess, task: Task, user: User) -> bool:
    """Who answers a form task: the champion, or the person it is assigned to, on the
    customer's shared form tasks. Vendor staff read the answers (and may still tick the task
    by hand, :func:`may_work`)."""
    if task.kind != TaskKind.FORM or not access.can("onboarding.fill_forms"):
        return False
    if task.internal or task.owner_side != Side.CUSTOMER:
        return False
    return access.role == Role.CHAMPION or task.assignee_id == user.pk


def answer_text(field: FormFieldBase, value: Any) -> str:
    """An answer as stored: checked against its field's type, "" for no answer. Raises
    ValidationError naming what is wrong (the form says the same to the person first)."""
    if value is None or value == "":
        return ""
    kind = field.field_type
    if kind == FieldType.DATE:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError(
                _("“%(question)s”: give a date, such as 2026-03-10.") % {"question": field.label}
            ) from None
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(
                _("“%(question)s”: give a number, such as 12 or 4.5.") % {"question": field.label}
            ) from None
        if not number.is_finite():
            raise ValidationError(
                _("“%(question)s”: give a number, such as 12 or 4.5.") % {"question": field.label}
            )
        return format(number.normalize(), "f")
    text = str(value).strip()
    if kind == FieldType.CHOICE and text not in field.option_list:
        raise ValidationError(
            _("“%(question)s”: choose one of the options.") % {"question": field.label}
        )
    limit = MAX_LONG_TEXT_ANSWER if kind == FieldType.LONG_TEXT else MAX_TEXT_ANSWER
    if len(text) > limit:
        raise ValidationError(
            _("“%(question)s”: at most %(limit)s characters.")
            % {"question": field.label, "limit": limit}
        )
    return text


@transaction.atomic
def answer_form(task: Task, *, answers: dict[int, Any], acting_user: User) -> bool:
    """Save the answers to a form task (by field id) and, once every required question is
    answered, complete the task (:func:`set_task_done`). An edit of the answers later keeps
    the task done and is recorded with what changed. Nothing is saved when an answer is wrong
    or a required one is missing. Returns whether the task was completed by this."""
    if task.kind != TaskKind.FORM:
        raise ValidationError(_("This task has no form to answer."))
    # Two people answering at once: one after the other, the second sees the task done.
    task.completed_at = Task.objects.select_for_update().get(pk=task.pk).completed_at
    fields = list(TaskFormField.objects.filter(task=task).select_related("answer"))
    texts: dict[int, str] = {}
    problems: list[str] = []
    for question in fields:
        try:
            texts[question.pk] = answer_text(question, answers.get(question.pk))
        except ValidationError as error:
            problems += error.messages
            continue
        if question.required and not texts[question.pk]:
            problems.append(_("“%(question)s” needs an answer.") % {"question": question.label})
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for question in fields:
        current = getattr(question, "answer", None)
        old, new = (current.value if current else ""), texts[question.pk]
        if old == new:
            continue
        before[question.label], after[question.label] = old, new
        if not new:
            FormAnswer.objects.filter(field=question).delete()
        else:
            FormAnswer.objects.update_or_create(
                field=question,
                defaults={"value": new, "answered_by": acting_user, "answered_at": now},
            )
    account = task.checklist.account
    if after:
        record(
            gettext_noop("edited a form's answers")
            if task.is_done
            else gettext_noop("answered a form"),
            actor=acting_user,
            account=account,
            target=task,
            before=before if task.is_done else None,
            after=after,
            internal=task.internal,
        )
    if task.is_done:
        return False
    return set_task_done(task, True, acting_user=acting_user)


# The daily reminders --------------------------------------------------------------------------
#
# The daily onboarding reminders: one e-mail per person and day, whatever it holds.
#
# :func:`collect_reminders` works out who should hear about what (a fixed number of queries,
# however many tasks and accounts there are); :func:`send_reminders` claims each person's day
# before mailing them, so a second run, or a second worker, sends nothing twice.
#
# What goes to whom:
#
# - an assignee: their open tasks due within ``ONBOARDING_DUE_SOON_DAYS`` (due soon) and those
#   overdue by at least the checklist's ``remind_assignee_after`` days. Customer users only hear
#   of shared tasks on accounts they belong to; vendor staff of every task of the accounts they
#   may see, internal ones included.
# - the ladder, for a shared customer-side task that stays overdue: from
#   ``remind_champion_after`` days the account's champions are told it is waiting on its
#   assignee, from ``remind_csm_after`` days the account's CSM too.
# - a CSM: the onboardings of their portfolio with no customer activity for
#   ``ONBOARDING_STALLED_DAYS`` days.
#
# Notification settings are honoured: kind "tasks" for task items, "account" for stalled
# onboardings; "off" (or a deactivated login) means none of them.

log = logging.getLogger(__name__)

DUE_SOON = "due_soon"
OVERDUE = "overdue"
WAITING = "waiting"  # someone else's overdue task, escalated up the ladder
STALLED = "stalled"


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
            return ngettext("overdue by %(n)d day", "overdue by %(n)d days", days) % {"n": days}
        if days == 0:
            return _("due today")
        if days == -1:
            return _("due tomorrow")
        return ngettext("due in %(n)d day", "due in %(n)d days", -days) % {"n": -days}

    @property
    def waiting_on(self) -> str:
        """Who it waits on, in words: "waiting on Jane Doe", or "not assigned to anyone"."""
        assignee = self.task.assignee
        if assignee is None:
            return _("not assigned to anyone")
        return _("waiting on %(name)s") % {"name": assignee.display_name}

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
    # The account's onboarding progress, as every page shows it (figures.Progress).
    progress: Progress | None = None

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
        if n := self.overdue_count:
            parts.append(ngettext("%(n)d overdue task", "%(n)d overdue tasks", n) % {"n": n})
        if n := self.due_soon_count:
            parts.append(ngettext("%(n)d task due soon", "%(n)d tasks due soon", n) % {"n": n})
        if n := self.waiting_count:
            parts.append(
                ngettext("%(n)d task waiting on others", "%(n)d tasks waiting on others", n)
                % {"n": n}
            )
        if n := self.stalled_count:
            parts.append(
                ngettext("%(n)d stalled onboarding", "%(n)d stalled onboardings", n) % {"n": n}
            )
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
    """Open tasks of unfinished checklists due by the end of the due-soon window: one query.
    An offboarded account's are nobody's reminder any more (the CSM's neither)."""
    horizon = today + timedelta(days=settings.ONBOARDING_DUE_SOON_DAYS)
    return list(
        Task.objects.open()
        .filter(
            checklist__completed_at__isnull=True,
            checklist__account__offboarded_at__isnull=True,
            due_date__lte=horizon,
        )
        .select_related("checklist__account__owner", "assignee")
        .order_by("due_date", "position", "pk")
    )


def _stalled_onboardings(
    checklists: list[WithAnnotations[Checklist, ActivityAnnotations]], today: date
) -> list[StalledOnboarding]:
    """Of ``checklists``, those with a CSM to tell that are stalled (:func:`.figures.stalled`
    for ``ONBOARDING_STALLED_DAYS`` days)."""
    owned = [c for c in checklists if c.account.owner_id is not None]
    return [
        StalledOnboarding(idle.checklist, idle.since, idle.idle_days, idle.has_activity)
        for idle in stalled_onboardings(owned, today, settings.ONBOARDING_STALLED_DAYS)
    ]


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

    unfinished = unfinished_checklists(today)
    for stalled in _stalled_onboardings(unfinished, today):
        owner = stalled.checklist.account.owner
        assert owner is not None
        if recipients.wants(owner, NotificationKind.ACCOUNT):
            digest_for(owner).add_stalled(stalled)

    # Each account's section shows its onboarding progress, as the pages do.
    progress = {c.account_id: figures_of_annotations(c, today).progress for c in unfinished}
    for digest in digests.values():
        for account_id, section in digest.by_account.items():
            section.progress = progress.get(account_id)
    return digests


# Sending ------------------------------------------------------------------------------------


class RemindersNotSent(NotAllSent):
    what = "onboarding reminder(s)"


def _section_title(section: AccountReminders) -> str:
    parts = []
    if n := len(section.mine):
        parts.append(ngettext("%(n)d task of yours", "%(n)d tasks of yours", n) % {"n": n})
    if n := len(section.waiting):
        parts.append(
            ngettext("%(n)d task waiting on others", "%(n)d tasks waiting on others", n) % {"n": n}
        )
    if section.stalled:
        parts.append(_("onboarding stalled"))
    return _("%(account)s onboarding: %(parts)s") % {
        "account": section.account.name,
        "parts": ", ".join(parts),
    }


def send_digest(digest: Digest) -> None:
    """E-mail the reminder, with one-click unsubscribe from what it tells of, and put one item
    a section (an account) in the person's inbox, in one insert."""
    kinds = (
        [NotificationKind.TASKS]
        if digest.overdue_count + digest.due_soon_count + digest.waiting_count
        else []
    )
    if digest.stalled_count:
        kinds.append(NotificationKind.ACCOUNT)
    send_notification_mail(
        digest.user, kinds, Mail("onboarding_reminder", {"digest": digest, "today": digest.today})
    )
    now = timezone.now()
    notify_each(
        Notification(
            user=digest.user,
            kind=NotificationKind.TASKS
            if section.mine or section.waiting
            else NotificationKind.ACCOUNT,
            title=lazy(_section_title, str)(section),
            url=reverse("onboarding", args=[section.account.slug]),
            account=section.account,
            emailed_at=now,
        )
        for section in digest.sections
    )


def send_reminders(today: date, *, people: Collection[int] | None = None) -> int:
    """Send ``today``'s onboarding reminders, at most one a person a day (the claimed
    ``ReminderSent`` row); returns how many went out. Raises :class:`RemindersNotSent` after
    trying everyone if some e-mails failed."""
    return send_daily(
        collect_reminders(today),
        day=today,
        log_model=ReminderSent,
        record=lambda digest: {"items": digest.as_json()},
        send=send_digest,
        not_all_sent=RemindersNotSent,
        people=people,
    )

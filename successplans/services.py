"""Changes to success plans. Views and tasks call these; every change is in the activity log."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.access import VENDOR, AccountAccess, Role
from accounts.activity import record, snapshot
from accounts.models import Account, User
from onboarding.models import Side, position_after
from onboarding.services import assignable_people
from portal.jobs import enqueue

from .figures import KPI_SOURCES
from .models import (
    KPI,
    ActionItem,
    ActionStatus,
    Item,
    KPIValue,
    Milestone,
    MilestoneStatus,
    Objective,
    PlanComment,
    PlanPart,
    PlanTemplate,
    PlanTemplateItem,
    SuccessPlan,
)

ITEM_FIELDS: dict[str, list[str]] = {
    "objective": ["title", "why", "owner", "target_date", "internal"],
    "kpi": ["name", "unit", "baseline", "target", "current", "target_date", "source"],
    "milestone": ["title", "target_date", "owner_side", "status", "internal"],
    "action": ["title", "side", "assignee", "due_date", "status", "internal"],
}
ITEM_NAMES = {
    "objective": "an objective",
    "kpi": "a KPI",
    "milestone": "a milestone",
    "action": "an action item",
}
MODELS: dict[str, type[Item]] = {
    "objective": Objective,
    "kpi": KPI,
    "milestone": Milestone,
    "action": ActionItem,
}
PLAN_PARTS: dict[str, type[PlanPart]] = {
    "objective": Objective,
    "milestone": Milestone,
    "action": ActionItem,
}


class StaleEdit(Exception):
    def __init__(self, item: Item) -> None:
        super().__init__("Someone else changed this while you were editing it.")
        self.item = item


def item_side(item: Item) -> str:
    if isinstance(item, Milestone):
        return str(item.owner_side)
    if isinstance(item, ActionItem):
        return str(item.side)
    return Side.CUSTOMER  # objectives and their KPIs are the customer's outcomes


def may_edit(access: AccountAccess, kind: str, item: Item, user: User) -> bool:
    """Vendor staff edit everything; the champion the items their side owns; a member the
    action items assigned to them (status only); executives read."""
    if not access.can("plans.edit"):
        return False
    if access.role in VENDOR:
        return True
    if getattr(item, "internal", False) or item_side(item) != Side.CUSTOMER:
        return False
    if access.role == Role.CHAMPION:
        return True
    return kind == "action" and isinstance(item, ActionItem) and item.assignee_id == user.pk


def people_for_side(account: Account, side: str) -> models.QuerySet[User]:
    return assignable_people(account, side)


# Plans --------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    account: Account,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    template: PlanTemplate | None,
    acting_user: User,
) -> SuccessPlan:
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": "The plan must end after it starts."})
    plan = SuccessPlan.objects.create(
        account=account,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
        template_name=template.name if template else "",
    )
    if template is not None:
        for item in template.items.all():
            due = min(starts_on + timedelta(days=item.offset_days), ends_on)
            common = {
                "plan": plan,
                "title": item.title,
                "internal": item.internal,
                "position": item.position,
            }
            if item.kind == PlanTemplateItem.Kind.OBJECTIVE:
                Objective.objects.create(why=item.detail, target_date=due, **common)
            elif item.kind == PlanTemplateItem.Kind.MILESTONE:
                Milestone.objects.create(target_date=due, owner_side=item.owner_side, **common)
            else:
                ActionItem.objects.create(due_date=due, side=item.owner_side, **common)
    record(
        "created a success plan",
        actor=acting_user,
        account=account,
        target=plan,
        after={
            "template": plan.template_name or "blank",
            "from": str(starts_on),
            "to": str(ends_on),
        },
    )
    return plan


@transaction.atomic
def save_as_template(plan: SuccessPlan, *, name: str, acting_user: User) -> PlanTemplate:
    template = PlanTemplate.objects.create(name=name, created_by=acting_user)
    items = []
    parts: list[tuple[str, models.QuerySet[PlanPart], str]] = [
        (PlanTemplateItem.Kind.OBJECTIVE, plan.objectives.all(), "target_date"),
        (PlanTemplateItem.Kind.MILESTONE, plan.milestones.all(), "target_date"),
        (PlanTemplateItem.Kind.ACTION, plan.actions.all(), "due_date"),
    ]
    for kind, rows, date_field in parts:
        for position, row in enumerate(rows):
            due = getattr(row, date_field)
            items.append(
                PlanTemplateItem(
                    template=template,
                    kind=kind,
                    title=row.title,
                    detail=getattr(row, "why", ""),
                    owner_side=getattr(row, "owner_side", getattr(row, "side", Side.CUSTOMER)),
                    offset_days=max(0, (due - plan.starts_on).days) if due else 30,
                    internal=row.internal,
                    position=position,
                )
            )
    PlanTemplateItem.objects.bulk_create(items)
    record(
        "saved a plan as a template",
        actor=acting_user,
        target=template,
        after={"from": plan.name},
        internal=True,
    )
    return template


@transaction.atomic
def override_health(
    plan: SuccessPlan, *, health: str, reason: str, acting_user: User
) -> SuccessPlan:
    """Set (or, with an empty ``health``, clear) the CSM's judgement of the plan's health."""
    if health and not reason.strip():
        raise ValidationError(
            {"reason": "Say why the health differs from what the plan's figures say."}
        )
    before = snapshot(plan, ["health_override", "override_reason"])
    plan.health_override = health
    plan.override_reason = reason.strip() if health else ""
    plan.override_by = acting_user if health else None
    plan.override_at = timezone.now() if health else None
    plan.save(update_fields=["health_override", "override_reason", "override_by", "override_at"])
    record(
        "set the plan's health" if health else "cleared the plan's health override",
        actor=acting_user,
        account=plan.account,
        target=plan,
        before=before,
        after=snapshot(plan, ["health_override", "override_reason"]),
    )
    return plan


# Plan templates -------------------------------------------------------------------------------
# A template belongs to no account: its log entries are internal and name the template.


@transaction.atomic
def create_plan_template(*, name: str, description: str = "", acting_user: User) -> PlanTemplate:
    template = PlanTemplate.objects.create(
        name=name, description=description, created_by=acting_user
    )
    record("created a plan template", actor=acting_user, target=template, internal=True)
    return template


@transaction.atomic
def add_plan_template_item(
    template: PlanTemplate, item: PlanTemplateItem, *, acting_user: User
) -> PlanTemplateItem:
    """Save a new item built by a validated form, last of its kind in ``template``."""
    item.template = template
    item.position = template.items.filter(kind=item.kind).count()
    item.save()
    record(
        "added a plan template item",
        actor=acting_user,
        target=template,
        after={"item": item.title},
        internal=True,
    )
    return item


@transaction.atomic
def remove_plan_template_item(item: PlanTemplateItem, *, acting_user: User) -> None:
    record(
        "removed a plan template item",
        actor=acting_user,
        target=item.template,
        before={"item": item.title},
        internal=True,
    )
    item.delete()


@transaction.atomic
def set_plan_template_archived(
    template: PlanTemplate, archived: bool, *, acting_user: User
) -> PlanTemplate:
    template.archived_at = timezone.now() if archived else None
    template.save(update_fields=["archived_at"])
    record(
        "archived a plan template" if archived else "restored a plan template",
        actor=acting_user,
        target=template,
        internal=True,
    )
    return template


# Items --------------------------------------------------------------------------------------


def _parent_plan(item: Item) -> SuccessPlan:
    return item.objective.plan if isinstance(item, KPI) else item.plan


@transaction.atomic
def add_item(kind: str, item: Item, *, acting_user: User) -> Item:
    """Save a new item built by a validated form (its plan or objective already set)."""
    siblings: models.QuerySet[Item] = (
        item.objective.kpis.all()
        if isinstance(item, KPI)
        else PLAN_PARTS[kind].objects.filter(plan=item.plan)
    )
    item.position = position_after(siblings)
    item.save()
    plan = _parent_plan(item)
    if isinstance(item, KPI) and item.current is not None:
        KPIValue.objects.create(kpi=item, value=item.current, recorded_by=acting_user)
    record(
        f"added {ITEM_NAMES[kind]}",
        actor=acting_user,
        account=plan.account,
        target=item,
        after=snapshot(item, ITEM_FIELDS[kind]),
        internal=getattr(item, "internal", False),
    )
    return item


@transaction.atomic
def update_item(
    kind: str, pk: int, *, fields: dict[str, Any], version: int, acting_user: User
) -> Item:
    """Apply ``fields`` to the item if nobody changed it since ``version``; log before/after."""
    current = MODELS[kind].objects.select_for_update().get(pk=pk)
    if current.version != version:
        raise StaleEdit(current)
    before = snapshot(current, ITEM_FIELDS[kind])
    old_value = getattr(current, "current", None)
    for name, value in fields.items():
        setattr(current, name, value)
    _stamp_status(current)
    current.version += 1
    current.save()
    current.refresh_from_db()  # the values as stored (decimals rounded), for the log
    if isinstance(current, KPI) and current.current is not None and current.current != old_value:
        KPIValue.objects.create(kpi=current, value=current.current, recorded_by=acting_user)
    after = snapshot(current, ITEM_FIELDS[kind])
    record(
        f"edited {ITEM_NAMES[kind]}",
        actor=acting_user,
        account=_parent_plan(current).account,
        target=current,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
        internal=getattr(current, "internal", False),
    )
    return current


def _stamp_status(item: Item) -> None:
    if isinstance(item, Milestone):
        item.done_at = (
            (item.done_at or timezone.now()) if item.status == MilestoneStatus.DONE else None
        )
    elif isinstance(item, ActionItem):
        item.completed_at = (
            (item.completed_at or timezone.now()) if item.status == ActionStatus.DONE else None
        )


@transaction.atomic
def delete_item(kind: str, item: Item, *, acting_user: User) -> None:
    plan = _parent_plan(item)
    record(
        f"removed {ITEM_NAMES[kind]}",
        actor=acting_user,
        account=plan.account,
        target=item,
        before=snapshot(item, ITEM_FIELDS[kind]),
        internal=getattr(item, "internal", False),
    )
    item.delete()


def set_kpi_value(kpi: KPI, value: Decimal, *, version: int, acting_user: User) -> KPI:
    updated = update_item(
        "kpi", kpi.pk, fields={"current": value}, version=version, acting_user=acting_user
    )
    return cast(KPI, updated)  # MODELS["kpi"] is KPI


def set_status(kind: str, item: Item, status: str, *, acting_user: User) -> Item:
    """A status change says the state wanted, so it never conflicts with another edit."""
    return update_item(
        kind,
        item.pk,
        fields={"status": status},
        version=MODELS[kind].objects.get(pk=item.pk).version,
        acting_user=acting_user,
    )


# Discussion ---------------------------------------------------------------------------------


def mentioned_people(body: str, account: Account) -> list[User]:
    """People of the account (and its CSM) named in ``body`` as @Name or @e-mail."""
    people = list(User.objects.filter(memberships__account=account, is_active=True)) + (
        [account.owner] if account.owner else []
    )
    lowered = body.lower()
    return [
        p for p in people
        if f"@{p.email.lower()}" in lowered or re.search(rf"@{re.escape(p.display_name.lower())}\b", lowered)
    ]  # fmt: skip


@transaction.atomic
def comment_on_plan(
    plan: SuccessPlan,
    *,
    body: str,
    acting_user: User,
    item_kind: str = "",
    item: Item | None = None,
    internal: bool = False,
) -> PlanComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    comment = PlanComment.objects.create(
        plan=plan,
        item_kind=item_kind,
        item_id=item.pk if item is not None else None,
        item_label=str(item)[:200] if item is not None else "",
        author=acting_user,
        body=body,
        internal=internal or bool(getattr(item, "internal", False)),
    )
    record(
        "commented on the plan",
        actor=acting_user,
        account=plan.account,
        target=plan,
        after={"on": comment.item_label or plan.name, "comment": body[:200]},
        internal=comment.internal,
    )
    for person in mentioned_people(body, plan.account):
        if person.pk != acting_user.pk and not (comment.internal and not person.is_vendor):
            enqueue("successplans.send_plan_mention", comment_id=comment.pk, user_id=person.pk)
    return comment


def refresh_bound_kpis() -> int:
    """Update every KPI bound to a computed figure; a changed value joins its history."""
    changed = 0
    for kpi in KPI.objects.exclude(source="").select_related("objective__plan__account"):
        source = KPI_SOURCES.get(kpi.source)
        if source is None:
            continue
        value = source[1](kpi.objective.plan.account)
        if value is not None and value != kpi.current:
            with transaction.atomic():
                KPI.objects.filter(pk=kpi.pk).update(current=value, version=models.F("version") + 1)
                KPIValue.objects.create(kpi=kpi, value=value)
            changed += 1
    return changed

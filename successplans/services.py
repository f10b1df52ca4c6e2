"""Changes to success plans. Views and tasks call these; every change is in the activity log."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.access import AccountAccess
from accounts.activity import record, snapshot
from accounts.mentions import mentionable_people, mentioned_people
from accounts.models import Account, CustomerRole, NotificationKind, User
from accounts.services import notify, tell_owner_of_customer
from onboarding.models import MAX_OFFSET_DAYS, Side, position_after
from onboarding.services import assignable_people
from portal.errors import StaleEdit
from portal.jobs import enqueue

from .figures import KPI_SOURCES
from .models import (
    KPI,
    ActionItem,
    ActionStatus,
    AnyPlanItem,
    KPIValue,
    Milestone,
    MilestoneStatus,
    Objective,
    PlanComment,
    PlanTemplate,
    PlanTemplateItem,
    SignOff,
    SignOffStatus,
    SuccessPlan,
    plan_period_errors,
)
from .signals import signoff_rejected

ITEM_FIELDS: dict[str, list[str]] = {
    "objective": ["title", "why", "owner", "target_date", "internal"],
    "kpi": ["name", "unit", "baseline", "target", "current", "target_date", "source"],
    "milestone": ["title", "target_date", "owner_side", "status", "internal"],
    "action": ["title", "side", "assignee", "due_date", "status", "internal"],
}
# The log's verbs for each kind of item (stored in English, translated when read).
ADDED = {
    "objective": gettext_noop("added an objective"),
    "kpi": gettext_noop("added a KPI"),
    "milestone": gettext_noop("added a milestone"),
    "action": gettext_noop("added an action item"),
}
EDITED = {
    "objective": gettext_noop("edited an objective"),
    "kpi": gettext_noop("edited a KPI"),
    "milestone": gettext_noop("edited a milestone"),
    "action": gettext_noop("edited an action item"),
}
REMOVED = {
    "objective": gettext_noop("removed an objective"),
    "kpi": gettext_noop("removed a KPI"),
    "milestone": gettext_noop("removed a milestone"),
    "action": gettext_noop("removed an action item"),
}
# The items that hang on the plan itself; a KPI hangs on its objective.
PLAN_MODELS: dict[str, type[Objective] | type[Milestone] | type[ActionItem]] = {
    "objective": Objective,
    "milestone": Milestone,
    "action": ActionItem,
}
MODELS: dict[str, type[Objective] | type[KPI] | type[Milestone] | type[ActionItem]] = {
    **PLAN_MODELS,
    "kpi": KPI,
}


def item_side(item: AnyPlanItem) -> str:
    if isinstance(item, Milestone):
        return str(item.owner_side)
    if isinstance(item, ActionItem):
        return str(item.side)
    return Side.CUSTOMER  # objectives and their KPIs are the customer's outcomes


def marked_internal(item: AnyPlanItem) -> bool:
    """Whether the item is internal to the vendor. A KPI has no mark of its own: it is as
    internal as its objective, so its comments, mentions and log entries never reach the
    customer when the objective does not."""
    return item.objective.internal if isinstance(item, KPI) else item.internal


# Who may do what on a plan. The roles are in the capability table (accounts.access); these
# rules add what the table cannot know: the item's side, whether it is internal, its assignee,
# and the plan's own settings. The pages ask the same rules, so they offer only what is allowed.


def may_edit(access: AccountAccess, item: AnyPlanItem, user: User) -> bool:
    """May change the item at all (its status, a KPI's value): vendor staff everything; the
    champion the shared items of the customer's side; a member the action items assigned to
    them; executives nothing."""
    if access.can("plans.manage"):
        return True
    if not access.can("plans.edit"):
        return False
    if marked_internal(item) or item_side(item) != Side.CUSTOMER:
        return False
    if access.can("plans.edit_details"):
        return True
    return isinstance(item, ActionItem) and item.assignee_id == user.pk


def may_define_kpi(access: AccountAccess, plan: SuccessPlan) -> bool:
    """May add a KPI or change what one measures (name, unit, baseline, target, target date,
    source): vendor staff; the champion only where the CSM allows it on this plan. Everyone
    else who may edit a KPI updates its current value only (``may_update_kpi``)."""
    return access.can("plans.define_kpis") or (
        plan.champion_edits_kpis and access.can("plans.define_kpis_when_allowed")
    )


def may_update_kpi(access: AccountAccess, kpi: KPI, user: User) -> bool:
    """May enter a KPI's current value: vendor staff and the champion (members and executives
    read)."""
    return may_edit(access, kpi, user) and access.can("plans.edit_details")


def may_edit_details(access: AccountAccess, item: AnyPlanItem, user: User) -> bool:
    """May open the item's edit form: a KPI's definition by ``may_define_kpi``; any other item's
    details by whoever may edit it and edits details (not a member, who sets a status)."""
    if isinstance(item, KPI):
        return may_define_kpi(access, parent_plan(item))
    return may_edit(access, item, user) and access.can("plans.edit_details")


def may_add(access: AccountAccess, kind: str, plan: SuccessPlan) -> bool:
    """May add an item of ``kind`` to the plan (which side it may be on is checked on the
    item, by ``may_edit``)."""
    if kind == "kpi":
        return may_define_kpi(access, plan)
    return access.can("plans.edit_details")


def may_see_internal(access: AccountAccess) -> bool:
    """Internal items are the vendor's: vendor staff see them (in a preview of the customer's
    portal the viewer is the customer, so they do not)."""
    return access.is_vendor


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
    errors = plan_period_errors(starts_on, ends_on)
    if errors:
        raise ValidationError(errors)
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
        gettext_noop("created a success plan"),
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


# Saving a plan as a template --------------------------------------------------------------
# Every CSM can open every template, so a template must hold nothing of the account it came
# from: internal items stay out, an objective's "why it matters" (this customer's situation)
# stays out, and the account's name in a copied title becomes "the customer", unless the CSM
# ticks the item ("copy") or its text ("keep as written") one by one.

# In the CSM's language, as the template's texts are.
CUSTOMER_PLACEHOLDER = gettext_lazy("the customer")
# Words that name no one: "Acme Logistics" is known as "Acme", "Globex Retail" as "Globex", but
# "Northern Health Trust" must not turn every "northern" into "the customer".
GENERIC_WORDS = frozenset(
    {"the", "and", "inc", "ltd", "llc", "gmbh", "group", "company", "corp", "corporation",
     "holdings", "international", "global", "health", "retail", "logistics", "northern",
     "southern", "eastern", "western", "national", "services", "solutions", "systems"}
)  # fmt: skip


def account_names(account: Account) -> list[str]:
    """What the account is called in free text: its full name, and its first word when that
    word is distinctive ("Acme" for "Acme Logistics"); longest first."""
    names = {account.name.strip()}
    first = account.name.split()[0] if account.name.split() else ""
    if len(first) >= 3 and first.lower() not in GENERIC_WORDS:
        names.add(first)
    return sorted((n for n in names if n), key=len, reverse=True)


def without_account_names(text: str, account: Account) -> str:
    placeholder = str(CUSTOMER_PLACEHOLDER)
    for name in account_names(account):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", lambda _: placeholder, text, flags=re.I)
    return text


def mentions_account(text: str, account: Account) -> bool:
    return without_account_names(text, account) != text


@dataclass(frozen=True)
class TemplateCandidate:
    """One item of a plan, as saving the plan as a template would copy it."""

    key: str  # "objective:12"
    kind: str
    title: str
    detail: str
    owner_side: str
    offset_days: int
    internal: bool
    account_specific: bool  # names the account, or carries this customer's "why"
    title_as_copied: str  # unless kept as written

    @property
    def kind_label(self) -> str:
        return str(PlanTemplateItem.Kind(self.kind).label)


def template_candidates(plan: SuccessPlan) -> list[TemplateCandidate]:
    """Every item of the plan that a template could start with, in the plan's order."""
    account = plan.account
    candidates = []
    sources: list[tuple[str, Iterable[Objective | Milestone | ActionItem]]] = [
        (PlanTemplateItem.Kind.OBJECTIVE, plan.objectives.all()),
        (PlanTemplateItem.Kind.MILESTONE, plan.milestones.all()),
        (PlanTemplateItem.Kind.ACTION, plan.actions.all()),
    ]
    for kind, rows in sources:
        for row in rows:
            due = row.due_date if isinstance(row, ActionItem) else row.target_date
            detail = row.why if isinstance(row, Objective) else ""
            candidates.append(
                TemplateCandidate(
                    key=f"{kind}:{row.pk}",
                    kind=kind,
                    title=row.title,
                    detail=detail,
                    owner_side=item_side(row),
                    offset_days=min(max(0, (due - plan.starts_on).days), MAX_OFFSET_DAYS)
                    if due
                    else 30,
                    internal=row.internal,
                    account_specific=bool(detail) or mentions_account(row.title, account),
                    title_as_copied=without_account_names(row.title, account),
                )
            )
    return candidates


def template_name_errors(name: str, account: Account) -> str | None:
    if mentions_account(name, account):
        return _(
            "Every CSM sees the template library: leave the account's name out of the "
            "template's name."
        )
    return None


@transaction.atomic
def save_as_template(
    plan: SuccessPlan,
    *,
    name: str,
    description: str = "",
    copy: Collection[str] | None = None,
    keep_as_written: Collection[str] = (),
    acting_user: User,
) -> PlanTemplate:
    """A new template from the plan's items. ``copy``: the keys (``template_candidates``) of the
    items to copy, by default the shared ones; ``keep_as_written``: those whose title and "why it
    matters" are copied as they are, account's name and all."""
    candidates = template_candidates(plan)
    chosen = set(copy) if copy is not None else {c.key for c in candidates if not c.internal}
    name = name.strip()
    problem = (
        _("Give the template a name.") if not name else template_name_errors(name, plan.account)
    )
    if problem:
        raise ValidationError({"name": problem})
    template = PlanTemplate.objects.create(
        name=name, description=description.strip(), created_by=acting_user
    )
    positions: dict[str, int] = {}
    items = []
    for candidate in candidates:
        if candidate.key not in chosen:
            continue
        verbatim = candidate.key in keep_as_written
        position = positions[candidate.kind] = positions.get(candidate.kind, -1) + 1
        items.append(
            PlanTemplateItem(
                template=template,
                kind=candidate.kind,
                title=candidate.title if verbatim else candidate.title_as_copied,
                detail=candidate.detail if verbatim else "",
                owner_side=candidate.owner_side,
                offset_days=candidate.offset_days,
                internal=candidate.internal,
                position=position,
            )
        )
    PlanTemplateItem.objects.bulk_create(items)
    record(
        gettext_noop("saved a plan as a template"),
        actor=acting_user,
        account=plan.account,
        target=template,
        after={"plan": plan.name, "items": len(items)},
        internal=True,
    )
    return template


@transaction.atomic
def set_champion_edits_kpis(plan: SuccessPlan, allowed: bool, *, acting_user: User) -> SuccessPlan:
    """Let the account's champion change the plan's KPI definitions too, or stop them."""
    if plan.champion_edits_kpis == allowed:
        return plan
    before = snapshot(plan, ["champion_edits_kpis"])
    plan.champion_edits_kpis = allowed
    plan.save(update_fields=["champion_edits_kpis"])
    record(
        gettext_noop("let the champion change KPI definitions")
        if allowed
        else gettext_noop("kept KPI definitions to the vendor"),
        actor=acting_user,
        account=plan.account,
        target=plan,
        before=before,
        after=snapshot(plan, ["champion_edits_kpis"]),
    )
    return plan


@transaction.atomic
def override_health(
    plan: SuccessPlan, *, health: str, reason: str, acting_user: User
) -> SuccessPlan:
    """Set (or, with an empty ``health``, clear) the CSM's judgement of the plan's health."""
    if health and not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the health differs from what the plan's figures say.")}
        )
    before = snapshot(plan, ["health_override", "override_reason"])
    plan.health_override = health
    plan.override_reason = reason.strip() if health else ""
    plan.override_by = acting_user if health else None
    plan.override_at = timezone.now() if health else None
    plan.save(update_fields=["health_override", "override_reason", "override_by", "override_at"])
    record(
        gettext_noop("set the plan's health")
        if health
        else gettext_noop("cleared the plan's health override"),
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
    record(
        gettext_noop("created a plan template"), actor=acting_user, target=template, internal=True
    )
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
        gettext_noop("added a plan template item"),
        actor=acting_user,
        target=template,
        after={"item": item.title},
        internal=True,
    )
    return item


@transaction.atomic
def remove_plan_template_item(item: PlanTemplateItem, *, acting_user: User) -> None:
    record(
        gettext_noop("removed a plan template item"),
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
        gettext_noop("archived a plan template")
        if archived
        else gettext_noop("restored a plan template"),
        actor=acting_user,
        target=template,
        internal=True,
    )
    return template


# Items --------------------------------------------------------------------------------------


def parent_plan(item: AnyPlanItem) -> SuccessPlan:
    return item.objective.plan if isinstance(item, KPI) else item.plan


@transaction.atomic
def add_item(kind: str, item: AnyPlanItem, *, acting_user: User | None) -> AnyPlanItem:
    """Save a new item of ``kind`` built by a validated form (its plan or objective already
    set); ``acting_user`` is None when a playbook adds it."""
    if isinstance(item, KPI):
        item.position = position_after(item.objective.kpis.all())
    else:
        item.position = position_after(PLAN_MODELS[kind].objects.filter(plan=item.plan))
    item.save()
    plan = parent_plan(item)
    if isinstance(item, KPI) and item.current is not None:
        KPIValue.objects.create(kpi=item, value=item.current, recorded_by=acting_user)
    record(
        ADDED[kind],
        actor=acting_user,
        account=plan.account,
        target=item,
        after=snapshot(item, ITEM_FIELDS[kind]),
        internal=marked_internal(item),
    )
    return item


@transaction.atomic
def update_item(
    kind: str, pk: int, *, fields: dict[str, Any], version: int, acting_user: User
) -> AnyPlanItem:
    """Apply ``fields`` to the item if nobody changed it since ``version``; log before/after."""
    current = MODELS[kind].objects.select_for_update().get(pk=pk)
    if current.version != version:
        raise StaleEdit(current)  # .current: the item as it now stands
    before = snapshot(current, ITEM_FIELDS[kind])
    old_value = current.current if isinstance(current, KPI) else None
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
        EDITED[kind],
        actor=acting_user,
        account=parent_plan(current).account,
        target=current,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
        internal=marked_internal(current),
    )
    return current


def _stamp_status(item: AnyPlanItem) -> None:
    if isinstance(item, Milestone):
        item.done_at = (
            (item.done_at or timezone.now()) if item.status == MilestoneStatus.DONE else None
        )
    elif isinstance(item, ActionItem):
        item.completed_at = (
            (item.completed_at or timezone.now()) if item.status == ActionStatus.DONE else None
        )


@transaction.atomic
def delete_item(kind: str, item: AnyPlanItem, *, acting_user: User) -> None:
    plan = parent_plan(item)
    record(
        REMOVED[kind],
        actor=acting_user,
        account=plan.account,
        target=item,
        before=snapshot(item, ITEM_FIELDS[kind]),
        internal=marked_internal(item),
    )
    item.delete()


def set_kpi_value(kpi: KPI, value: Decimal, *, version: int, acting_user: User) -> KPI:
    updated = update_item(
        "kpi", kpi.pk, fields={"current": value}, version=version, acting_user=acting_user
    )
    # update_item reloads the row from MODELS["kpi"]: what it returns is a KPI.
    return cast(KPI, updated)


def set_status(kind: str, item: AnyPlanItem, status: str, *, acting_user: User) -> AnyPlanItem:
    """A status change says the state wanted, so it never conflicts with another edit."""
    return update_item(
        kind,
        item.pk,
        fields={"status": status},
        version=MODELS[kind].objects.get(pk=item.pk).version,
        acting_user=acting_user,
    )


# Sign-offs ----------------------------------------------------------------------------------

SIGNOFF_ROLES = (CustomerRole.CHAMPION, CustomerRole.EXECUTIVE)
SIGNOFF_FIELDS = ["status", "approver", "note", "decided_by", "decided_at", "reason"]


def signoff_approvers(account: Account) -> models.QuerySet[User]:
    """Who may sign off for the account: its active champions and executives."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__account=account,
            memberships__role__in=SIGNOFF_ROLES,
        )
        .order_by("name", "pk")
        .distinct()
    )


def may_request_signoff(access: AccountAccess, milestone: Milestone) -> bool:
    """The vendor asks for sign-off of a milestone the customer can see."""
    return access.can("plans.request_signoff") and not milestone.internal


def may_decide(access: AccountAccess, signoff: SignOff, user: User) -> bool:
    """A champion or executive decides a pending sign-off; only its approver when it names
    one."""
    return (
        access.can("plans.sign_off") and signoff.pending and signoff.approver_id in (None, user.pk)
    )


@transaction.atomic
def request_signoff(
    milestone: Milestone, *, approver: User | None, note: str = "", acting_user: User
) -> SignOff:
    """Ask the customer to approve ``milestone``: the approver (or every champion and
    executive, when none is named) hears of it in their inbox."""
    milestone = (
        Milestone.objects.select_for_update().select_related("plan__account").get(pk=milestone.pk)
    )
    account = milestone.plan.account
    if milestone.internal:
        raise ValidationError(
            _("An internal milestone is not shown to the customer: share it first.")
        )
    if milestone.signoffs.filter(status=SignOffStatus.PENDING).exists():
        raise ValidationError(_("This milestone is already waiting for the customer's sign-off."))
    approvers = signoff_approvers(account)
    if approver is not None and not approvers.filter(pk=approver.pk).exists():
        raise ValidationError(_("Choose a champion or an executive of the account."))
    signoff = SignOff.objects.create(
        account=account,
        milestone=milestone,
        note=note.strip(),
        approver=approver,
        requested_by=acting_user,
    )
    record(
        gettext_noop("asked for"),
        actor=acting_user,
        account=account,
        target=signoff,
        after=snapshot(signoff, SIGNOFF_FIELDS),
    )
    notify(
        [approver] if approver is not None else list(approvers),
        kind=NotificationKind.PLANS,
        title=format_lazy(
            gettext_lazy("{person} asks you to sign off “{milestone}”"),
            person=acting_user.display_name,
            milestone=milestone.title,
        ),
        url=milestone.plan.get_absolute_url() + f"#milestone-{milestone.pk}",
        body=signoff.note,
        account=account,
    )
    return signoff


def _decide(signoff: SignOff, status: str, *, reason: str, acting_user: User) -> SignOff:
    """Record the decision once: a second answer (two approvers at the same moment, a form sent
    twice) finds the request decided and changes nothing."""
    claimed = SignOff.objects.filter(pk=signoff.pk, status=SignOffStatus.PENDING).update(
        status=status, decided_by=acting_user, decided_at=timezone.now(), reason=reason
    )
    if not claimed:
        raise ValidationError(_("This sign-off was already decided."))
    decided = SignOff.objects.select_related("milestone__plan__account", "decided_by").get(
        pk=signoff.pk
    )
    milestone = decided.milestone
    set_status(
        "milestone",
        milestone,
        MilestoneStatus.DONE if status == SignOffStatus.APPROVED else MilestoneStatus.IN_PROGRESS,
        acting_user=acting_user,
    )
    account = milestone.plan.account
    record(
        gettext_noop("approved") if status == SignOffStatus.APPROVED else gettext_noop("rejected"),
        actor=acting_user,
        account=account,
        target=decided,
        after=snapshot(decided, SIGNOFF_FIELDS),
    )
    heard = [decided.requested_by_id]
    if account.owner_id and account.owner_id != decided.requested_by_id:
        heard.append(account.owner_id)
    notify(
        User.objects.filter(pk__in=heard, is_active=True),
        kind=NotificationKind.PLANS,
        title=format_lazy(
            gettext_lazy("{person} approved “{milestone}”")
            if status == SignOffStatus.APPROVED
            else gettext_lazy("{person} rejected “{milestone}”"),
            person=acting_user.display_name,
            milestone=milestone.title,
        ),
        url=milestone.plan.get_absolute_url() + f"#milestone-{milestone.pk}",
        body=reason,
        account=account,
    )
    return decided


@transaction.atomic
def approve_signoff(signoff: SignOff, *, acting_user: User) -> SignOff:
    """Approve: the milestone is done."""
    return _decide(signoff, SignOffStatus.APPROVED, reason="", acting_user=acting_user)


@transaction.atomic
def reject_signoff(signoff: SignOff, *, reason: str, acting_user: User) -> SignOff:
    """Reject, saying why: the milestone is open again (in progress)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why you reject it, so the team knows what to change."))
    decided = _decide(signoff, SignOffStatus.REJECTED, reason=reason, acting_user=acting_user)
    transaction.on_commit(lambda: signoff_rejected.send(sender=SignOff, signoff=decided))
    return decided


# Discussion ---------------------------------------------------------------------------------


@transaction.atomic
def comment_on_plan(
    plan: SuccessPlan,
    *,
    body: str,
    acting_user: User,
    item_kind: str = "",
    item: AnyPlanItem | None = None,
    internal: bool = False,
) -> PlanComment:
    """Add a comment on the plan or one of its items; everyone it @mentions who may read it
    hears of it by e-mail, after commit (an internal comment reaches vendor staff only)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    comment = PlanComment.objects.create(
        plan=plan,
        item_kind=item_kind,
        item_id=item.pk if item is not None else None,
        item_label=str(item)[:200] if item is not None else "",
        author=acting_user,
        body=body,
        internal=internal or (item is not None and marked_internal(item)),
    )
    record(
        gettext_noop("commented on the plan"),
        actor=acting_user,
        account=plan.account,
        target=plan,
        after={"on": comment.item_label or plan.name, "comment": body[:200]},
        internal=comment.internal,
    )
    readers = mentionable_people(plan.account, vendor_only=comment.internal)
    mentioned = {person.pk for person in mentioned_people(body, readers)} - {acting_user.pk}
    for person_pk in sorted(mentioned):
        enqueue("successplans.send_plan_mention", comment_id=comment.pk, user_id=person_pk)
    if plan.account.owner_id not in mentioned:  # a mention tells them already
        tell_owner_of_customer(
            plan.account,
            acting_user=acting_user,
            kind=NotificationKind.PLANS,
            title=format_lazy(
                gettext_lazy("{person} commented on the plan “{plan}” ({item})")
                if comment.item_label
                else gettext_lazy("{person} commented on the plan “{plan}”"),
                person=acting_user.display_name,
                plan=plan.name,
                item=comment.item_label,
            ),
            url=plan.get_absolute_url() + "#discussion",
            body=body[:500],
        )
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

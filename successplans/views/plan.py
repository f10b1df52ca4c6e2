"""The shared plan page and what changes on it in place: items added and edited, statuses,
KPI values, the discussion, the CSM's health judgement and the plan's settings.

htmx gets the named partial of ``successplans/plan.html`` (or of the item form's template) that
changed; a plain request the page, or a redirect after a change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.errors import StaleEdit
from portal.formatting import measure
from portal.htmx import is_htmx, refuse, render_partial
from portal.htmx import redirect as htmx_redirect
from portal.paging import page_of
from portal.params import id_param

from ..figures import PlanSummary, PlanView, by_side, plan_summary, plan_view
from ..forms import (
    ITEM_FORMS,
    CommentForm,
    HealthForm,
    KPIValueForm,
    PlanItemForm,
    PlanSettingsForm,
    StatusForm,
)
from ..models import (
    KPI,
    ActionItem,
    ActionStatus,
    AnyPlanItem,
    Milestone,
    MilestoneStatus,
    Objective,
    SignOffStatus,
    SuccessPlan,
)
from ..services import (
    MODELS,
    add_item,
    comment_on_plan,
    delete_item,
    may_add,
    may_decide,
    may_define_kpi,
    may_edit,
    may_edit_details,
    may_request_signoff,
    may_see_internal,
    may_update_kpi,
    override_health,
    set_champion_edits_kpis,
    set_kpi_value,
    set_status,
    signoff_approvers,
    update_item,
)
from .common import conflict_status, deny, get_item, get_kpi, get_objective, get_plan

PAGE = "successplans/plan.html"
ITEM_FORM = "successplans/plan_item_form.html"
ROW_PARTIAL = {
    "objective": "objective-card",
    "kpi": "objective-card",
    "milestone": "milestone-row",
    "action": "action-row",
}
STATUSES = {"milestone": MilestoneStatus.choices, "action": ActionStatus.choices}
ITEM_LABELS = {
    "objective": gettext_lazy("Objective"),
    "kpi": gettext_lazy("KPI"),
    "milestone": gettext_lazy("Milestone"),
    "action": gettext_lazy("Action"),
}


def comment_items(view: PlanView) -> list[tuple[str, str]]:
    """What a comment can be about: each objective, KPI, milestone and action item shown."""
    kinds = (
        ("objective", view.objectives),
        ("kpi", view.kpis),
        ("milestone", view.milestones),
        ("action", view.actions),
    )
    return [
        (f"{kind}:{item.pk}", f"{ITEM_LABELS[kind]}: {item}")
        for kind, items in kinds
        for item in items
    ]


# The parts of the plan page that load on their own, and how many of their items a part
# lists at a time.
PARTS = ("objectives", "actions", "milestones", "discussion", "manage")
PER_PAGE = {"objectives": 20, "actions": 50, "milestones": 50, "discussion": 20}
PARTIAL = {part: f"{part}-part" for part in PARTS} | {"discussion": "discussion"}


def part_lists(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    view: PlanView,
    part: str | None,
) -> dict[str, Any]:
    """Each list of the plan a page at a time: the page ``?page=`` names for ``part``, the
    first for the others."""

    def paged(name: str, items: Any) -> Any:
        if name == part:
            return page_of(request, items, PER_PAGE[name])
        return Paginator(items, PER_PAGE[name]).get_page(1)

    comments = plan.comments.select_related("author")
    if not may_see_internal(access):
        comments = comments.filter(internal=False)
    objectives = paged("objectives", view.objectives)
    actions = paged("actions", [*view.customer_actions, *view.vendor_actions])
    milestones = paged("milestones", view.milestones)
    discussion = paged("discussion", comments)
    customer_actions, vendor_actions = by_side(actions)
    return {
        "objectives_page": objectives,
        "actions_page": actions,
        "customer_actions": customer_actions,
        "vendor_actions": vendor_actions,
        "milestones_page": milestones,
        "comments_page": discussion,
    }


def plan_context(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    *,
    open_parts: tuple[str, ...] = PARTS,
    part: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The plan as this viewer sees it, each item marked with what they may do to it, its
    lists a page at a time; ``open_parts`` are listed in the page, the others load on their
    own."""
    view = plan_view(plan, customer=not may_see_internal(access), comments=0)
    user = request.user
    defines_kpis = may_define_kpi(access, plan)
    items: list[Objective | Milestone | ActionItem] = [
        *view.objectives,
        *view.milestones,
        *view.actions,
    ]
    for item in items:
        item.editable = may_edit(access, item, user)
        item.details_editable = may_edit_details(access, item, user)
    for kpi in view.kpis:
        kpi.value_editable = may_update_kpi(access, kpi, user)
        kpi.definable = defines_kpis
    for milestone in view.milestones:
        latest = milestone.latest_signoff
        milestone.signoff_decidable = latest is not None and may_decide(access, latest, user)
        # Asked once per delivery: again only after a rejection.
        milestone.signoff_requestable = may_request_signoff(access, milestone) and (
            latest is None or latest.status == SignOffStatus.REJECTED
        )
    context = {
        **shell_context(access, plan, view),
        "open_parts": open_parts,
        **part_lists(request, access, plan, view, part),
        "comment_form": CommentForm(items=comment_items(view))
        if access.can("plans.comment")
        else None,
        "health_form": HealthForm(
            initial={"health": plan.health_override, "reason": plan.override_reason}
        )
        if access.can("plans.manage")
        else None,
        "settings_form": PlanSettingsForm(initial={"champion_edits_kpis": plan.champion_edits_kpis})
        if access.can("plans.manage")
        else None,
        "signoff_approvers": list(signoff_approvers(access.account))
        if access.can("plans.request_signoff")
        else [],
        "milestone_statuses": MilestoneStatus.choices,
        "action_statuses": ActionStatus.choices,
    }
    return {**context, **extra}


def shell_context(
    access: AccountAccess, plan: SuccessPlan, view: PlanView | PlanSummary
) -> dict[str, Any]:
    """What the page's head and the parts' frames need."""
    return {
        "access": access,
        "account": access.account,
        "plan": plan,
        "view": view,
        "manages": access.can("plans.manage"),
        "can_add": {kind: may_add(access, kind, plan) for kind in ITEM_FORMS},
    }


@account_view("plans.view")
def plan(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    """The plan's head and health; its objectives, action items, milestones and discussion
    load on their own as they come into view (:func:`plan_part`)."""
    plan = get_plan(access, pk)
    context = shell_context(access, plan, plan_summary(plan)) | {"open_parts": ()}
    return render(request, PAGE, context)


@account_view("plans.view")
def plan_part(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, part: str
) -> HttpResponse:
    """One part of the plan page, a page of its items at a time (``?page=``): htmx gets the
    part, a plain request the plan page with this part listed."""
    plan = get_plan(access, pk)
    if part == "manage" and not access.can("plans.manage"):
        return refuse(
            request, _("Only vendor staff manage the plan's health and settings."), status=403
        )
    context = plan_context(request, access, plan, open_parts=(part,), part=part)
    return render_partial(request, PAGE, PARTIAL[part], context)


def render_item(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kind: str,
    item: AnyPlanItem,
) -> HttpResponse:
    """After a change: the item's part of the page with the plan's health (htmx), or the page."""
    if isinstance(item, KPI):
        kind, item = "objective", item.objective
    if not is_htmx(request):
        return redirect(f"{plan.get_absolute_url()}#{kind}-{item.pk}")
    context = plan_context(request, access, plan)
    shown = {
        "objective": context["view"].objectives,
        "milestone": context["view"].milestones,
        "action": context["view"].actions,
    }[kind]
    context["item"] = next((i for i in shown if i.pk == item.pk), None)
    if context["item"] is None:  # no longer shown to this viewer
        return htmx_redirect(request, plan.get_absolute_url())
    return render_partial(request, PAGE, f"{ROW_PARTIAL[kind]}-response", context)


def render_form(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kind: str,
    form: PlanItemForm,
    *,
    item: AnyPlanItem | None = None,
    objective: Objective | None = None,
    status: int = 200,
    stale: AnyPlanItem | None = None,
) -> HttpResponse:
    context = plan_context(
        request,
        access,
        plan,
        form=form,
        kind=kind,
        item=item,
        stale=stale,
        objective=objective,
        in_place=is_htmx(request),  # opened in the plan page: saved in place too
    )
    return render_partial(request, ITEM_FORM, "item-form", context, status=status)


@account_view("plans.edit")
def item_add(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str
) -> HttpResponse:
    plan = get_plan(access, pk)
    if kind not in ITEM_FORMS:
        raise Http404("No such kind of item.")
    if not may_add(access, kind, plan):
        return deny(
            request,
            _("The CSM sets up this plan's KPIs: update their current values on the plan.")
            if kind == "kpi"
            else _("Members update the status of the action items assigned to them."),
        )
    form_class = ITEM_FORMS[kind]
    instance = form_class._meta.model()
    objective = None
    if kind == "kpi":
        objective = instance.objective = get_objective(access, plan, id_param(request, "objective"))
    else:
        instance.plan = plan
    if request.method != "POST":
        return render_form(
            request,
            access,
            plan,
            kind,
            form_class(instance=instance, plan=plan, access=access),
            objective=objective,
        )
    form = form_class(request.POST, instance=instance, plan=plan, access=access)
    if not form.is_valid():
        return render_form(request, access, plan, kind, form, objective=objective, status=422)
    if not may_edit(access, form.instance, request.user):
        return deny(request, _("That side of the plan is the vendor's."))
    item = add_item(kind, form.instance, acting_user=request.user)
    if not is_htmx(request):
        messages.success(request, _("“%(item)s” was added.") % {"item": item})
    return redirect(f"{plan.get_absolute_url()}#{kind}-{item.pk}")


@account_view("plans.edit")
def item_edit(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    item = get_item(access, plan, kind, item_pk)
    if not may_edit_details(access, item, request.user):
        return deny(
            request,
            _("The CSM decides what this KPI measures: update its current value on the plan.")
            if kind == "kpi"
            else _("This item is not yours to edit."),
        )
    form_class = ITEM_FORMS[kind]
    if request.method != "POST":
        form = form_class(instance=item, plan=plan, access=access)
        return render_form(request, access, plan, kind, form, item=item)
    form = form_class(
        request.POST, instance=MODELS[kind].objects.get(pk=item.pk), plan=plan, access=access
    )
    if not form.is_valid():
        return render_form(request, access, plan, kind, form, item=item, status=422)
    fields = {
        name: form.cleaned_data[name]
        for name in form_class._meta.fields or ()
        if name in form.cleaned_data
    }
    try:
        item = update_item(
            kind,
            item.pk,
            fields=fields,
            version=form.cleaned_data.get("version") or 0,
            acting_user=request.user,
        )
    except StaleEdit as stale:
        data = request.POST.copy()
        data["version"] = str(stale.current.version)
        retry = form_class(
            data, instance=MODELS[kind].objects.get(pk=item.pk), plan=plan, access=access
        )
        retry.is_valid()
        return render_form(
            request,
            access,
            plan,
            kind,
            retry,
            item=item,
            status=conflict_status(request),
            stale=stale.current,
        )
    return render_item(request, access, plan, kind, item)


@require_POST
@account_view("plans.edit")
def item_status(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    if kind not in STATUSES:
        raise Http404("Only milestones and action items have a status.")
    item = get_item(access, plan, kind, item_pk)
    if not may_edit(access, item, request.user):
        return deny(request, _("This item is not yours to update."))
    form = StatusForm(request.POST, choices=STATUSES[kind])
    if not form.is_valid():
        labels = ", ".join(str(label) for _value, label in STATUSES[kind])
        return refuse(request, _("Choose one of: %(labels)s.") % {"labels": labels})
    item = set_status(kind, item, form.cleaned_data["status"], acting_user=request.user)
    return render_item(request, access, plan, kind, item)


@require_POST
@account_view("plans.edit")
def kpi_value(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    kpi = get_kpi(access, plan, item_pk)
    if not may_update_kpi(access, kpi, request.user):
        return deny(request, _("The champion and the CSM update this plan's KPIs."))
    form = KPIValueForm(request.POST)
    if not form.is_valid():
        return render_kpi_error(request, access, plan, kpi, form)
    try:
        kpi = set_kpi_value(
            kpi,
            form.cleaned_data["current"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except StaleEdit as stale:
        now = stale.current
        form.add_error(
            None,
            _("Someone else updated “%(name)s” to %(value)s meanwhile. Check it and save again.")
            % {"name": kpi.name, "value": measure(now.current, now.unit)},
        )
        return render_kpi_error(request, access, plan, kpi, form, status=conflict_status(request))
    return render_item(request, access, plan, "kpi", kpi)


def render_kpi_error(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kpi: KPI,
    form: KPIValueForm,
    status: int = 422,
) -> HttpResponse:
    """The KPI's objective with the message and what was typed (htmx), or the page."""
    context = plan_context(request, access, plan, kpi_errors={kpi.pk: form})
    context["item"] = next(o for o in context["view"].objectives if o.pk == kpi.objective_id)
    return render_partial(request, PAGE, "objective-card", context, status=status)


@require_POST
@account_view("plans.manage")
def item_delete(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    item = get_item(access, plan, kind, item_pk)
    delete_item(kind, item, acting_user=request.user)
    messages.success(request, _("“%(item)s” was removed.") % {"item": item})
    return redirect(plan.get_absolute_url())


@require_POST
@account_view("plans.comment")
def plan_comment(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    plan = get_plan(access, pk)
    view = plan_view(plan, customer=not may_see_internal(access), comments=0)
    form = CommentForm(request.POST, items=comment_items(view))
    if form.is_valid():
        kind, item_id = form.cleaned_data["about"]
        item = get_item(access, plan, kind, item_id) if kind else None
        try:
            comment_on_plan(
                plan,
                body=form.cleaned_data["body"],
                acting_user=request.user,
                item_kind=kind if item else "",
                item=item,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if is_htmx(request):
                context = plan_context(request, access, plan)
                return render_partial(request, PAGE, "discussion", context)
            return redirect(f"{plan.get_absolute_url()}#discussion")
    context = plan_context(request, access, plan, comment_form=form)
    return render_partial(request, PAGE, "discussion", context, status=422)


@require_POST
@account_view("plans.manage")
def plan_health(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    plan = get_plan(access, pk)
    form = HealthForm(request.POST)
    if form.is_valid():
        try:
            override_health(
                plan,
                health=form.cleaned_data["health"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(plan.get_absolute_url())
    context = plan_context(request, access, plan, health_form=form)
    return render(request, PAGE, context, status=422)


@require_POST
@account_view("plans.manage")
def plan_settings(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    form = PlanSettingsForm(request.POST)
    form.is_valid()  # one checkbox: every request reads as ticked or not
    set_champion_edits_kpis(
        plan, form.cleaned_data["champion_edits_kpis"], acting_user=request.user
    )
    messages.success(
        request,
        _("The champion may now change the KPIs' definitions.")
        if plan.champion_edits_kpis
        else _("Only vendor staff change the KPIs' definitions now."),
    )
    return redirect(f"{plan.get_absolute_url()}#plan-settings")

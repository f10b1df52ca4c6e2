"""Mutual success plans: the shared plan page, in-place edits, discussion, health."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, Role, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

from ..figures import PlanView, plan_view
from ..forms import (
    ITEM_FORMS,
    CommentForm,
    HealthForm,
    KPIValueForm,
    PlanForm,
    PlanItemForm,
    StatusForm,
)
from ..models import KPI, ActionStatus, Item, MilestoneStatus, PlanPart, SuccessPlan
from ..services import (
    MODELS,
    PLAN_PARTS,
    StaleEdit,
    add_item,
    comment_on_plan,
    create_plan,
    delete_item,
    may_edit,
    override_health,
    save_as_template,
    set_kpi_value,
    set_status,
    update_item,
)

ROW_PARTIAL = {
    "objective": "objective-card",
    "kpi": "objective-card",
    "milestone": "milestone-row",
    "action": "action-row",
}
STATUSES = {"milestone": MilestoneStatus.values, "action": ActionStatus.values}


def get_plan(access: AccountAccess, pk: int) -> SuccessPlan:
    plan = get_object_or_404(SuccessPlan.objects.filter(account=access.account), pk=pk)
    plan.account = access.account
    return plan


def get_kpi(access: AccountAccess, plan: SuccessPlan, pk: int) -> KPI:
    """A KPI of this plan; customers never reach those of internal objectives."""
    kpis = KPI.objects.filter(objective__plan=plan).select_related("objective")
    if access.is_customer:
        kpis = kpis.filter(objective__internal=False)
    kpi = get_object_or_404(kpis, pk=pk)
    kpi.objective.plan = plan
    return kpi


def get_item(access: AccountAccess, plan: SuccessPlan, kind: str, pk: int) -> Item:
    """An item of this plan; customers never reach internal ones."""
    if kind not in MODELS:
        raise Http404("No such kind of item.")
    if kind == "kpi":
        return get_kpi(access, plan, pk)
    items: QuerySet[PlanPart] = PLAN_PARTS[kind].objects.filter(plan=plan)
    if access.is_customer:
        items = items.filter(internal=False)
    item = get_object_or_404(items, pk=pk)
    item.plan = plan
    return item


def comment_items(view: PlanView) -> list[tuple[str, str]]:
    """What a comment can be about: each objective, KPI, milestone and action item shown."""
    labels = {"objective": "Objective", "kpi": "KPI", "milestone": "Milestone", "action": "Action"}
    kinds = (
        ("objective", view.objectives),
        ("kpi", view.kpis),
        ("milestone", view.milestones),
        ("action", view.actions),
    )
    return [
        (f"{kind}:{item.pk}", f"{labels[kind]}: {item}") for kind, items in kinds for item in items
    ]


def plan_context(
    request: AuthenticatedHttpRequest, access: AccountAccess, plan: SuccessPlan, **extra: Any
) -> dict[str, Any]:
    view = plan_view(plan, customer=access.is_customer)
    user = request.user
    for kind, items in (
        ("objective", view.objectives),
        ("milestone", view.milestones),
        ("action", view.actions),
        ("kpi", view.kpis),
    ):
        for item in items:
            item.editable = may_edit(access, kind, item, user)
    context = {
        "access": access,
        "account": access.account,
        "plan": plan,
        "view": view,
        "can_add": access.can("plans.edit") and access.role != Role.MEMBER,
        "comment_form": CommentForm(items=comment_items(view))
        if access.can("plans.comment")
        else None,
        "health_form": HealthForm(
            initial={"health": plan.health_override, "reason": plan.override_reason}
        )
        if access.can("plans.manage")
        else None,
        "milestone_statuses": MilestoneStatus.choices,
        "action_statuses": ActionStatus.choices,
    }
    context.update(extra)
    return context


@account_view("plans.view")
def plans(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account_plans = list(access.account.plans.all())
    if len(account_plans) == 1 and not access.can("plans.manage"):
        return redirect("plan", access.account.slug, account_plans[0].pk)
    summaries = [(p, plan_view(p, customer=access.is_customer, comments=0)) for p in account_plans]
    form = PlanForm() if access.can("plans.manage") else None
    return render(
        request,
        "successplans/plan_list.html",
        {"access": access, "account": access.account, "summaries": summaries, "form": form},
    )


@require_POST
@account_view("plans.manage")
def plan_create(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = create_plan(access.account, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"“{plan.name}” was created. Add its objectives with the customer."
            )
            return redirect("plan", access.account.slug, plan.pk)
    summaries = [(p, plan_view(p, customer=False, comments=0)) for p in access.account.plans.all()]
    return render(
        request,
        "successplans/plan_list.html",
        {"access": access, "account": access.account, "summaries": summaries, "form": form},
        status=422,
    )


@account_view("plans.view")
def plan(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    return render(
        request, "successplans/plan.html", plan_context(request, access, get_plan(access, pk))
    )


@account_view("plans.view")
def plan_print(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    return render(
        request, "successplans/plan_print.html", plan_context(request, access, get_plan(access, pk))
    )


def render_item(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kind: str,
    pk: int,
    status: int = 200,
) -> HttpResponse:
    """After a change: the item's part of the page (htmx), or the page."""
    if not request.htmx:
        return redirect(f"{plan.get_absolute_url()}#{kind}-{pk}")
    context = plan_context(request, access, plan)
    if kind == "kpi":
        kind, pk = "objective", KPI.objects.get(pk=pk).objective_id
    items = {
        "objective": context["view"].objectives,
        "milestone": context["view"].milestones,
        "action": context["view"].actions,
    }[kind]
    context["item"] = next((i for i in items if i.pk == pk), None)
    if context["item"] is None:
        return HttpResponse(status=204)
    return render(
        request, f"successplans/plan.html#{ROW_PARTIAL[kind]}-response", context, status=status
    )


def render_form(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kind: str,
    form: PlanItemForm,
    *,
    item: Item | None = None,
    status: int = 200,
    stale: Item | None = None,
) -> HttpResponse:
    context = plan_context(
        request,
        access,
        plan,
        form=form,
        kind=kind,
        item=item,
        stale=stale,
        objective_id=request.POST.get("objective") or request.GET.get("objective"),
    )
    template = (
        "successplans/plan.html#item-form" if request.htmx else "successplans/plan_item_form.html"
    )
    return render(request, template, context, status=status)


@account_view("plans.edit")
def item_add(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str
) -> HttpResponse:
    plan = get_plan(access, pk)
    if kind not in ITEM_FORMS:
        raise Http404("No such kind of item.")
    if access.role == Role.MEMBER:
        raise PermissionDenied("Members update the action items assigned to them.")
    form_class = ITEM_FORMS[kind]
    instance = form_class._meta.model()
    if kind == "kpi":
        instance.objective = get_item(
            access,
            plan,
            "objective",
            int(request.POST.get("objective") or request.GET.get("objective") or 0),
        )
    else:
        instance.plan = plan
    if request.method != "POST":
        return render_form(
            request, access, plan, kind, form_class(instance=instance, plan=plan, access=access)
        )
    form = form_class(request.POST, instance=instance, plan=plan, access=access)
    if not form.is_valid():
        return render_form(request, access, plan, kind, form, status=422)
    if not may_edit(access, kind, form.instance, request.user):
        raise PermissionDenied("That side of the plan is the vendor's.")
    item = add_item(kind, form.instance, acting_user=request.user)
    if not request.htmx:
        messages.success(request, f"“{item}” was added.")
    return redirect(f"{plan.get_absolute_url()}#{kind}-{item.pk}")


@account_view("plans.edit")
def item_edit(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    item = get_item(access, plan, kind, item_pk)
    if not may_edit(access, kind, item, request.user) or access.role == Role.MEMBER:
        raise PermissionDenied("This item is not yours to edit.")
    form_class = ITEM_FORMS[kind]
    if request.method != "POST":
        return render_form(
            request,
            access,
            plan,
            kind,
            form_class(instance=item, plan=plan, access=access),
            item=item,
        )
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
        update_item(
            kind,
            item.pk,
            fields=fields,
            version=form.cleaned_data.get("version") or 0,
            acting_user=request.user,
        )
    except StaleEdit as stale:
        data = request.POST.copy()
        data["version"] = str(stale.item.version)
        retry = form_class(
            data, instance=MODELS[kind].objects.get(pk=item.pk), plan=plan, access=access
        )
        retry.is_valid()
        return render_form(
            request, access, plan, kind, retry, item=item, status=409, stale=stale.item
        )
    return render_item(request, access, plan, kind, item.pk)


@require_POST
@account_view("plans.edit")
def item_status(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    if kind not in STATUSES:
        raise Http404("Only milestones and action items have a status.")
    item = get_item(access, plan, kind, item_pk)
    if not may_edit(access, kind, item, request.user):
        raise PermissionDenied("This item is not yours to update.")
    form = StatusForm(request.POST)
    if not form.is_valid() or form.cleaned_data["status"] not in STATUSES[kind]:
        return HttpResponse(f"Choose one of: {', '.join(STATUSES[kind])}.", status=400)
    set_status(kind, item, form.cleaned_data["status"], acting_user=request.user)
    return render_item(request, access, plan, kind, item.pk)


@require_POST
@account_view("plans.edit")
def kpi_value(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    kpi = get_kpi(access, plan, item_pk)
    if not may_edit(access, "kpi", kpi, request.user) or access.role == Role.MEMBER:
        raise PermissionDenied("Champions and the CSM update KPIs.")
    form = KPIValueForm(request.POST)
    if not form.is_valid():
        return render_kpi_error(request, access, plan, kpi, form)
    try:
        set_kpi_value(
            kpi,
            form.cleaned_data["current"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except StaleEdit as stale:
        latest = cast(KPI, stale.item)  # set_kpi_value edits only this KPI
        form.add_error(
            None,
            f"Someone else updated “{kpi.name}” to {latest.current} {latest.unit} meanwhile. Check it and save again.",
        )
        return render_kpi_error(request, access, plan, kpi, form, status=409)
    return render_item(request, access, plan, "kpi", kpi.pk)


def render_kpi_error(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    plan: SuccessPlan,
    kpi: KPI,
    form: KPIValueForm,
    status: int = 422,
) -> HttpResponse:
    context = plan_context(request, access, plan, kpi_errors={kpi.pk: form})
    if request.htmx:
        # Only the KPI's objective, with the message and what was typed.
        context["item"] = next(o for o in context["view"].objectives if o.pk == kpi.objective_id)
        return render(request, "successplans/plan.html#objective-card", context, status=status)
    return render(request, "successplans/plan.html", context, status=status)


@require_POST
@account_view("plans.manage")
def item_delete(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, kind: str, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    item = get_item(access, plan, kind, item_pk)
    delete_item(kind, item, acting_user=request.user)
    messages.success(request, f"“{item}” was removed.")
    return redirect(plan.get_absolute_url())


@require_POST
@account_view("plans.comment")
def plan_comment(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    plan = get_plan(access, pk)
    form = CommentForm(
        request.POST, items=comment_items(plan_view(plan, customer=access.is_customer, comments=0))
    )
    if form.is_valid():
        kind, item_id = form.cleaned_data["about"]
        item = get_item(access, plan, kind, item_id) if kind else None
        comment_on_plan(
            plan,
            body=form.cleaned_data["body"],
            acting_user=request.user,
            item_kind=kind if item else "",
            item=item,
        )
        if request.htmx:
            return render(
                request, "successplans/plan.html#discussion", plan_context(request, access, plan)
            )
        return redirect(f"{plan.get_absolute_url()}#discussion")
    context = plan_context(request, access, plan, comment_form=form)
    template = "successplans/plan.html#discussion" if request.htmx else "successplans/plan.html"
    return render(request, template, context, status=422)


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
    return render(
        request,
        "successplans/plan.html",
        plan_context(request, access, plan, health_form=form),
        status=422,
    )


@require_POST
@account_view("plans.manage")
def plan_save_as_template(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    template = save_as_template(
        plan, name=f"{plan.name} ({access.account.name})", acting_user=request.user
    )
    messages.success(request, f"Saved as the plan template “{template.name}”.")
    return redirect("plan_template", template.pk)

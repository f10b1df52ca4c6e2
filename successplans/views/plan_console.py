"""Vendor console pages for success plans: every plan in the portfolio, and plan templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.activity import record
from accounts.models import Account

from ..models import KPI, Milestone, Objective, PlanHealth, PlanTemplate, SuccessPlan
from ..plan_forms import PlanTemplateForm, PlanTemplateItemForm
from ..plans import computed_health

HEALTH_RANK = {PlanHealth.OFF_TRACK: 0, PlanHealth.AT_RISK: 1, PlanHealth.ON_TRACK: 2}


@vendor_view()
def plan_portfolio(request: HttpRequest) -> HttpResponse:
    """Every plan of the portfolio with its health, next milestone and overdue actions;
    off track first. A fixed number of queries, whatever the number of plans."""
    today = timezone.localdate()
    plans = (
        SuccessPlan.objects.filter(account__in=Account.objects.visible_to(request.user))
        .select_related("account")
        .annotate(
            overdue_actions=Count(
                "actions", filter=Q(actions__due_date__lt=today) & ~Q(actions__status="done")
            )
        )
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("target_date")),
            Prefetch(
                "objectives",
                queryset=Objective.objects.prefetch_related(
                    Prefetch("kpis", queryset=KPI.objects.all())
                ),
            ),
        )
    )
    health = request.GET.get("health", "")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        plans = plans.filter(Q(account__name__icontains=query) | Q(name__icontains=query))
    rows = []
    for plan in plans:
        milestones = list(plan.milestones.all())
        kpis = [k for o in plan.objectives.all() for k in o.kpis.all()]
        figure = computed_health(plan, milestones, kpis, today)
        shown = plan.health_override or figure
        if health and shown != health:
            continue
        rows.append(
            {
                "plan": plan,
                "health": shown,
                "health_label": PlanHealth(shown).label,
                "overridden": bool(plan.health_override),
                "next_milestone": next(
                    (m for m in milestones if m.status not in ("done", "missed")), None
                ),
            }
        )
    rows.sort(
        key=lambda r: (HEALTH_RANK[r["health"]], -r["plan"].overdue_actions, r["plan"].account.name)
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {h: sum(1 for r in rows if r["health"] == h) for h in HEALTH_RANK}
    return render(
        request,
        "successplans/plan_portfolio.html",
        {
            "page": page,
            "health": health,
            "query": query,
            "healths": PlanHealth.choices,
            "counts": counts,
            "today": today,
            "total": len(rows),
        },
    )


@vendor_view()
def plan_templates(request: HttpRequest) -> HttpResponse:
    form = PlanTemplateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            template = form.save(commit=False)
            template.created_by = request.user
            template.save()
            record("created a plan template", actor=request.user, target=template, internal=True)
            return redirect("plan_template", template.pk)
        status = 422
    else:
        status = 200
    templates = PlanTemplate.objects.annotate(item_count=Count("items")).order_by(
        "archived_at", "name"
    )
    return render(
        request,
        "successplans/plan_templates.html",
        {"templates": templates, "form": form},
        status=status,
    )


@vendor_view()
def plan_template(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    form = PlanTemplateItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            item = form.save(commit=False)
            item.template = template
            item.position = template.items.filter(kind=item.kind).count()
            item.save()
            record(
                "added a plan template item",
                actor=request.user,
                target=template,
                after={"item": item.title},
                internal=True,
            )
            messages.success(request, f"“{item.title}” was added.")
            return redirect("plan_template", template.pk)
        status = 422
    else:
        status = 200
    return render(
        request,
        "successplans/plan_template.html",
        {"template": template, "items": template.items.all(), "form": form},
        status=status,
    )


@require_POST
@vendor_view()
def plan_template_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    item = get_object_or_404(template.items, pk=item_pk)
    record(
        "removed a plan template item",
        actor=request.user,
        target=template,
        before={"item": item.title},
        internal=True,
    )
    item.delete()
    return redirect("plan_template", template.pk)


@require_POST
@vendor_view()
def plan_template_archive(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    template.archived_at = None if template.archived_at else timezone.now()
    template.save(update_fields=["archived_at"])
    record(
        "archived a plan template" if template.archived_at else "restored a plan template",
        actor=request.user,
        target=template,
        internal=True,
    )
    return redirect("plan_templates")

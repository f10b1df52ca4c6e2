"""Every success plan in the CSM's portfolio (a CS admin: all), off track first."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from ..figures import lead_kpi, next_milestone, plan_health
from ..models import KPI, Milestone, Objective, PlanHealth, SuccessPlan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# By the health's value: plan_health answers a PlanHealth, or the CSM's override as stored.
HEALTH_RANK: dict[str, int] = {
    PlanHealth.OFF_TRACK: 0,
    PlanHealth.AT_RISK: 1,
    PlanHealth.ON_TRACK: 2,
}


class OverdueActions(TypedDict):
    overdue_actions: int


class PortfolioRow(TypedDict):
    plan: WithAnnotations[SuccessPlan, OverdueActions]
    health: str
    health_label: str
    overridden: bool
    next_milestone: Milestone | None
    lead_kpi: KPI | None


@vendor_view()
def plan_portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every plan of the portfolio with its health, next milestone and overdue actions;
    off track first. A fixed number of queries, whatever the number of plans."""
    today = timezone.localdate()
    plans: QuerySet[WithAnnotations[SuccessPlan, OverdueActions]] = (
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
    rows: list[PortfolioRow] = []
    for plan in plans:
        milestones = list(plan.milestones.all())
        objectives = list(plan.objectives.all())
        kpis = [k for o in objectives for k in o.kpis.all()]
        shown = plan_health(plan, milestones, kpis, today)
        if health and shown != health:
            continue
        rows.append(
            {
                "plan": plan,
                "health": shown,
                "health_label": str(PlanHealth(shown).label),
                "overridden": bool(plan.health_override),
                "next_milestone": next_milestone(milestones),
                "lead_kpi": lead_kpi(objectives),
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

"""What every plan screen shares: the plan and its items, fetched through the account, and a
refusal that htmx shows."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess
from portal.htmx import is_htmx, refuse

from ..models import KPI, ActionItem, AnyPlanItem, Milestone, Objective, SuccessPlan
from ..services import may_see_internal


def get_plan(access: AccountAccess, pk: int) -> SuccessPlan:
    plan = get_object_or_404(SuccessPlan.objects.filter(account=access.account), pk=pk)
    plan.account = access.account
    return plan


def get_item(access: AccountAccess, plan: SuccessPlan, kind: str, pk: int) -> AnyPlanItem:
    """An item of this plan; customers never reach internal ones (404, as for another
    account's)."""
    if kind == "kpi":
        return get_kpi(access, plan, pk)
    if kind == "objective":
        return get_objective(access, plan, pk)
    if kind == "milestone":
        return _get_on_plan(access, plan, plan.milestones.all(), pk)
    if kind == "action":
        return _get_on_plan(access, plan, plan.actions.all(), pk)
    raise Http404("No such kind of item.")


def get_objective(access: AccountAccess, plan: SuccessPlan, pk: int) -> Objective:
    return _get_on_plan(access, plan, plan.objectives.all(), pk)


_OnPlan = TypeVar("_OnPlan", Objective, Milestone, ActionItem)


def _get_on_plan(
    access: AccountAccess, plan: SuccessPlan, items: QuerySet[_OnPlan], pk: int
) -> _OnPlan:
    if not may_see_internal(access):
        items = items.filter(internal=False)
    item = get_object_or_404(items, pk=pk)
    item.plan = plan
    return item


def get_kpi(access: AccountAccess, plan: SuccessPlan, pk: int) -> KPI:
    """A KPI of this plan; customers never reach those of internal objectives."""
    kpis = KPI.objects.filter(objective__plan=plan).select_related("objective")
    if not may_see_internal(access):
        kpis = kpis.filter(objective__internal=False)
    kpi = get_object_or_404(kpis, pk=pk)
    kpi.objective.plan = plan
    return kpi


def deny(request: HttpRequest, message: str) -> HttpResponse:
    """A role that may see the plan but not make this change: 403 with the message, or for
    htmx a 422 that the page shows in its notice region (htmx swaps no other 4xx)."""
    return refuse(request, message, status=422 if is_htmx(request) else 403)


def conflict_status(request: HttpRequest) -> int:
    """A stale edit is a 409; htmx is answered 422 so that it swaps the form with the news."""
    return 422 if is_htmx(request) else 409

"""What every plan screen shares: the plan and its items, fetched through the account, ids read
from a request, and a refusal that htmx shows."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess
from portal.htmx import is_htmx, refuse

from ..models import KPI, SuccessPlan
from ..services import MODELS, may_see_internal

MAX_ID = 2**63 - 1  # the primary keys are BigAutoFields


def get_plan(access: AccountAccess, pk: int) -> SuccessPlan:
    plan = get_object_or_404(SuccessPlan.objects.filter(account=access.account), pk=pk)
    plan.account = access.account
    return plan


def get_item(access: AccountAccess, plan: SuccessPlan, kind: str, pk: int) -> Any:
    """An item of this plan; customers never reach internal ones (404, as for another
    account's)."""
    if kind not in MODELS:
        raise Http404("No such kind of item.")
    if kind == "kpi":
        items = KPI.objects.filter(objective__plan=plan).select_related("objective")
        if not may_see_internal(access):
            items = items.filter(objective__internal=False)
    else:
        items = MODELS[kind].objects.filter(plan=plan)
        if not may_see_internal(access):
            items = items.filter(internal=False)
    item = get_object_or_404(items, pk=pk)
    (item.objective if kind == "kpi" else item).plan = plan
    return item


def id_param(request: HttpRequest, name: str) -> int:
    """An id the request names in its form data or query string; 404 for anything that is not
    one ("abc", "-1", "", a number beyond any id), like an id that does not exist."""
    value = request.POST.get(name) or request.GET.get(name) or ""
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise Http404(f"No such {name}.")
    return int(value)


def deny(request: HttpRequest, message: str) -> HttpResponse:
    """A role that may see the plan but not make this change: 403 with the message, or for
    htmx a 422 that the page shows in its notice region (htmx swaps no other 4xx)."""
    return refuse(request, message, status=422 if is_htmx(request) else 403)


def conflict_status(request: HttpRequest) -> int:
    """A stale edit is a 409; htmx is answered 422 so that it swaps the form with the news."""
    return 422 if is_htmx(request) else 409

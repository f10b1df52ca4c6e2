"""The account's value page: the KPIs agreed with the customer, their money value and the ROI."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import render_partial

from ..figures import FORMULA, account_value
from ..forms import ReadingForm
from ..models import ValueKPI

TEMPLATE = "value/value.html"


def kpi_for_viewer(access: AccountAccess, pk: int) -> ValueKPI:
    """A KPI of this account (customers: a shared one); 404 otherwise, whoever's it is."""
    kpis = access.account.value_kpis.all()
    if not access.is_vendor:
        kpis = kpis.filter(shared=True)
    return get_object_or_404(kpis, pk=pk)


def page_context(access: AccountAccess) -> dict[str, Any]:
    return {
        "access": access,
        "figures": account_value(access.account, with_drafts=access.can("value.edit")),
        "formula": FORMULA,
        "reading_form": ReadingForm(),
    }


@account_view("value.view")
def value_page(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render_partial(request, TEMPLATE, "figures", page_context(access))

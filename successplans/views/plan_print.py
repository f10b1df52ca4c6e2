"""A plan on paper. A printed plan is usually handed to the customer, so the vendor's internal
items are left out unless the CSM asks for them; then each is marked "Internal"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from ..figures import plan_view
from ..forms import PrintForm
from ..services import may_see_internal
from .common import get_plan


@account_view("plans.view")
def plan_print(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    plan = get_plan(access, pk)
    form = PrintForm(request.GET)
    if not form.is_valid():
        return refuse(request, _("Choose whether the printed plan includes the internal items."))
    offer = may_see_internal(access)
    include = offer and form.includes_internal()
    return render(
        request,
        "successplans/plan_print.html",
        {
            "access": access,
            "account": access.account,
            "plan": plan,
            "view": plan_view(plan, customer=not include, comments=0),
            "offer_internal": offer,
            "include_internal": include,
        },
    )

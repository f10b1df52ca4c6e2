"""An account's success plans: the list, and a new plan (blank or from a template)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

from ..figures import plan_view
from ..forms import PlanForm
from ..services import create_plan, may_see_internal


def render_plans(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    form: PlanForm | None,
    status: int = 200,
) -> HttpResponse:
    customer = not may_see_internal(access)
    summaries = [
        (p, plan_view(p, customer=customer, comments=0)) for p in access.account.plans.all()
    ]
    return render(
        request,
        "successplans/plan_list.html",
        {"access": access, "account": access.account, "summaries": summaries, "form": form},
        status=status,
    )


@account_view("plans.view")
def plans(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account_plans = list(access.account.plans.all()[:2])
    if len(account_plans) == 1 and not access.can("plans.manage"):
        return redirect("plan", access.account.slug, account_plans[0].pk)
    return render_plans(request, access, PlanForm() if access.can("plans.manage") else None)


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
                request,
                _("“%(name)s” was created. Add its objectives with the customer.")
                % {"name": plan.name},
            )
            return redirect("plan", access.account.slug, plan.pk)
    return render_plans(request, access, form, status=422)

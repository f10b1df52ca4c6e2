"""Save a plan as a template. Every CSM opens every template, so the page shows exactly what
would be copied and leaves the account's own things out unless the CSM ticks them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

from ..forms import SaveAsTemplateForm
from ..services import CUSTOMER_PLACEHOLDER, save_as_template, template_candidates
from .common import get_plan


@account_view("plans.manage")
def plan_save_as_template(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    form = SaveAsTemplateForm(
        request.POST if request.method == "POST" else None,
        candidates=template_candidates(plan),
        account=access.account,
    )
    if form.is_valid():
        try:
            template = save_as_template(
                plan,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                copy=form.cleaned_data["copy"],
                keep_as_written=form.cleaned_data["keep_as_written"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Saved as the plan template “%(name)s”.") % {"name": template.name}
            )
            return redirect("plan_template", template.pk)
    return render(
        request,
        "successplans/plan_save_as_template.html",
        {
            "access": access,
            "account": access.account,
            "plan": plan,
            "form": form,
            "placeholder": CUSTOMER_PLACEHOLDER,
        },
        status=422 if form.is_bound else 200,
    )

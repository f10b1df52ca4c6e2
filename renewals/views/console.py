"""What CS admins keep: the churn reasons offered, the reasons report by segment and quarter,
and the default renewal checklist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from .. import figures, services
from ..forms import ChurnReasonForm, ReasonActiveForm, StepTemplateForm
from ..models import ChurnReason, Renewal, StepTemplate


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view(admin_only=True)
def churn_reasons(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ChurnReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reason = services.add_churn_reason(
                    name=form.cleaned_data["name"], acting_user=request.user
                )
            except ValidationError as error:
                form.add_error("name", error.messages[0])
            else:
                messages.success(
                    request, gettext("“%(name)s” is on the list.") % {"name": reason.name}
                )
                return redirect("churn_reasons")
        status = 422
    context = {
        "form": form,
        "reasons": ChurnReason.objects.all(),
    }
    return render(request, "renewals/reasons.html", context, status=status)


@require_POST
@vendor_view(admin_only=True)
def churn_reason_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(ChurnReason, pk=pk)
    form = ReasonActiveForm(request.POST)
    form.is_valid()
    active = bool(form.cleaned_data.get("active"))
    services.set_churn_reason_active(reason, active=active, acting_user=request.user)
    said = (
        gettext("“%(name)s” is offered again.")
        if active
        else gettext("“%(name)s” is no longer offered.")
    )
    messages.success(request, said % {"name": reason.name})
    return redirect("churn_reasons")


@require_safe
@vendor_view(admin_only=True)
def churn_reasons_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"report": figures.reasons_by_segment_and_quarter(Renewal.objects.all())}
    return render(request, "renewals/reasons_report.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view(admin_only=True)
def renewal_checklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StepTemplateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_step_template(**form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(request, gettext("The step is on the checklist of new renewals."))
                return redirect("renewal_checklist")
        status = 422
    context = {"form": form, "steps": StepTemplate.objects.all()}
    return render(request, "renewals/checklist.html", context, status=status)


@require_POST
@vendor_view(admin_only=True)
def renewal_checklist_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(StepTemplate, pk=pk)
    services.remove_step_template(step, acting_user=request.user)
    messages.success(
        request,
        gettext("“%(title)s” is off the checklist of new renewals.") % {"title": step.title},
    )
    return redirect("renewal_checklist")

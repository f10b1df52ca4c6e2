"""What CS admins keep: the default offboarding checklist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import services
from ..forms import MoveForm, StepTemplateForm
from ..models import StepTemplate


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view(admin_only=True)
def offboarding_checklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StepTemplateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_step_template(**form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request, gettext("The step is on the checklist of new offboardings.")
                )
                return redirect("offboarding_checklist")
        status = 422
    context = {"form": form, "steps": StepTemplate.objects.all()}
    return render(request, "offboarding/checklist.html", context, status=status)


@require_POST
@vendor_view(admin_only=True)
def offboarding_checklist_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(StepTemplate, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Move the step up or down."))
    services.move_step_template(
        step, up=form.cleaned_data["direction"] == "up", acting_user=request.user
    )
    return redirect("offboarding_checklist")


@require_POST
@vendor_view(admin_only=True)
def offboarding_checklist_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(StepTemplate, pk=pk)
    services.remove_step_template(step, acting_user=request.user)
    messages.success(
        request,
        gettext("“{title}” is off the checklist of new offboardings.").format(title=step.title),
    )
    return redirect("offboarding_checklist")

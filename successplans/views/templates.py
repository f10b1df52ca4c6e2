"""The CSM's plan templates: /console/plan-templates/. CSMs and CS admins only."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import PlanTemplateForm, PlanTemplateItemForm
from ..models import PlanTemplate


@vendor_view()
def plan_templates(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanTemplateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            template = services.create_plan_template(**form.cleaned_data, acting_user=request.user)
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
def plan_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    form = PlanTemplateItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            item = services.add_plan_template_item(
                template, form.instance, acting_user=request.user
            )
            messages.success(request, _("“%(title)s” was added.") % {"title": item.title})
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
def plan_template_item_delete(
    request: AuthenticatedHttpRequest, pk: int, item_pk: int
) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    item = get_object_or_404(template.items, pk=item_pk)
    services.remove_plan_template_item(item, acting_user=request.user)
    return redirect("plan_template", template.pk)


@require_POST
@vendor_view()
def plan_template_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(PlanTemplate, pk=pk)
    services.set_plan_template_archived(
        template, template.archived_at is None, acting_user=request.user
    )
    return redirect("plan_templates")

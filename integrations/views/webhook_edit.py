"""Add or change a webhook endpoint: URL (checked), events (grouped checkboxes), active."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import WebhookEndpointForm
from ..models import WebhookEndpoint
from ..services.webhooks import WebhookRefused, create_endpoint, update_endpoint

TEMPLATE = "integrations/webhook_form.html"


def _form_page(
    request: AuthenticatedHttpRequest,
    form: WebhookEndpointForm,
    endpoint: WebhookEndpoint | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "endpoint": endpoint, "nav_section": "settings"}
    return render(request, TEMPLATE, context, status=status)


def _refused(form: WebhookEndpointForm, error: WebhookRefused) -> None:
    field = error.field.partition("[")[0]
    form.add_error(field if field in form.fields else None, error.message)


@vendor_view(admin_only=True)
def webhook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, WebhookEndpointForm(), None)
    form = WebhookEndpointForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, None, status=422)
    try:
        endpoint = create_endpoint(**form.cleaned_data, acting_user=request.user)
    except WebhookRefused as error:
        _refused(form, error)
        return _form_page(request, form, None, status=422)
    messages.success(request, _("Endpoint added. Give its signing secret to the receiver."))
    return redirect("webhook_detail", endpoint.pk)


@vendor_view(admin_only=True)
def webhook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method != "POST":
        return _form_page(request, WebhookEndpointForm.for_endpoint(endpoint), endpoint)
    form = WebhookEndpointForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, endpoint, status=422)
    try:
        update_endpoint(endpoint, **form.cleaned_data, acting_user=request.user)
    except WebhookRefused as error:
        _refused(form, error)
        return _form_page(request, form, endpoint, status=422)
    messages.success(request, _("Endpoint saved."))
    return redirect("webhook_detail", endpoint.pk)

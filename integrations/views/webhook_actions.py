"""The endpoint page's buttons: send a test event, resend a delivery, rotate the secret,
remove the endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..models import WebhookDelivery, WebhookEndpoint
from ..services.webhooks import (
    delete_endpoint,
    resend_delivery,
    rotate_secret,
    send_test_event,
)


@require_POST
@vendor_view(admin_only=True)
def webhook_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    send_test_event(endpoint, acting_user=request.user)
    if endpoint.active:
        messages.success(request, _("A test event is on its way: it shows below in a moment."))
    else:
        messages.info(request, _("The test event waits until the endpoint is turned on."))
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@vendor_view(admin_only=True)
def webhook_resend(request: AuthenticatedHttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint=endpoint)
    resend_delivery(delivery, acting_user=request.user)
    messages.success(
        request,
        _("%(event_type)s (%(msg_id)s) is sent again.")
        % {"event_type": delivery.event_type, "msg_id": delivery.msg_id},
    )
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@vendor_view(admin_only=True)
def webhook_rotate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    rotate_secret(endpoint, acting_user=request.user)
    messages.success(request, _("New signing secret: give it to the receiver now."))
    return redirect("webhook_detail", endpoint.pk)


@require_POST
@vendor_view(admin_only=True)
def webhook_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    delete_endpoint(endpoint, acting_user=request.user)
    messages.success(request, _("%(url)s removed, with its deliveries.") % {"url": endpoint.url})
    return redirect("webhooks")

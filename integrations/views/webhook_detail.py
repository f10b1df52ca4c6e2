"""One webhook endpoint: its secret, its recent deliveries, and what can be done with them."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import recent_deliveries
from ..models import RETRY_SCHEDULE, WebhookEndpoint
from ..webhook_events import BY_NAME


@vendor_view(admin_only=True)
def webhook_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("created_by"), pk=pk)
    context = {
        "endpoint": endpoint,
        "deliveries": recent_deliveries(endpoint),
        "types": [BY_NAME[name] for name in endpoint.event_types if name in BY_NAME],
        "attempts": len(RETRY_SCHEDULE) + 1,
        "nav_section": "settings",
    }
    response = render(request, "integrations/webhook_detail.html", context)
    response["Cache-Control"] = "no-store"  # it shows the signing secret
    return response

"""The webhook event types and the JSON schema of each one's payload, for the people who
write receivers."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..models import RETRY_SCHEDULE
from ..webhook_events import TEST, TEST_GROUP, grouped


@vendor_view(admin_only=True)
def webhook_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = [
        (group, [(t, json.dumps(t.schema(), indent=2)) for t in types])
        for group, types in [*grouped(), (TEST_GROUP, [TEST])]
    ]
    context = {
        "groups": groups,
        "schedule": RETRY_SCHEDULE,
        "openapi_url": reverse("api_v1:openapi-json"),
        "nav_section": "settings",
    }
    return render(request, "integrations/webhook_events.html", context)

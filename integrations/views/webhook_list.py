"""Webhooks in the console (CS admins): every endpoint with its health."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import endpoints_with_counts


@vendor_view(admin_only=True)
def webhooks(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"endpoints": endpoints_with_counts(), "nav_section": "settings"}
    return render(request, "integrations/webhook_list.html", context)

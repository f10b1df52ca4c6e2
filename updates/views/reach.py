"""One update as the vendor sees it: its text, its audience and its reach."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import reach
from ..models import Update


@vendor_view()
def update_reach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(Update.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "updates/reach.html",
        {"update": update, "reach": reach(update)},
    )

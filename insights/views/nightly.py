"""The nightly roll-up and health scores, as a CS admin checks them: the last night's run, its
chunks that failed and why, and the nights before. Polled by htmx while the run goes on."""

from __future__ import annotations

from django.http import HttpResponse

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import render_partial

from ..figures.nightly import overview


@vendor_view(admin_only=True)
def nightly_runs(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_partial(request, "insights/nightly.html", "last-run", {"nightly": overview()})

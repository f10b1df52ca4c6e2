"""One Wrapped batch: its progress (polled by htmx until it is done), what failed and which
accounts it skipped."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import render_partial

from .. import services
from ..models import Report, WrappedBatch


@vendor_view(admin_only=True)
def batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(WrappedBatch.objects.select_related("created_by"), pk=pk)
    failed = (
        Report.objects.filter(batch_items__batch=run, status=Report.Status.FAILED)
        .select_related("account")
        .order_by("account__name")[:50]
    )
    context = {
        "batch": run,
        "progress": services.progress(run),
        "failed": failed,
        "skipped": services.skipped_of(run),
    }
    return render_partial(request, "reports/batch.html", "progress", context)

"""One PDF version: its status (polled by htmx until it is ready), its download, a retry."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse, render_partial

from .. import services
from ..models import Report
from .common import visible_reports


@account_view("reports.view")
def report(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(visible_reports(access), pk=pk)
    context = {"access": access, "account": access.account, "report": version}
    return render_partial(request, "reports/report.html", "status", context)


@account_view("reports.view")
def download(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> FileResponse:
    version = get_object_or_404(visible_reports(access), pk=pk, status=Report.Status.READY)
    try:
        handle = version.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("The file of this version is missing.") from exc
    services.record_download(version, acting_user=request.user)
    return FileResponse(handle, as_attachment=True, filename=version.filename)


@require_POST
@account_view("reports.request")
def retry(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(visible_reports(access), pk=pk)
    if not services.retry(version, acting_user=request.user):
        return refuse(request, "This version has not failed: there is nothing to try again.")
    messages.info(request, "Trying again. This page shows when it is ready.")
    return redirect(version)

"""One PDF version: its status (polled by htmx until it is ready), its download, a retry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal import files
from portal.htmx import refuse, render_partial

from .. import services
from ..figures import NoReport
from ..models import Report
from .common import visible_reports


@account_view("reports.view")
def report(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(visible_reports(access), pk=pk)
    context = {"access": access, "account": access.account, "report": version}
    return render_partial(request, "reports/report.html", "status", context)


@account_view("reports.view")
def download(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponseBase:
    """The PDF, streamed or as a short-lived signed URL (portal.files), only once the version
    is found among those this person may see; in their language and zone: a version in
    another is made in theirs on this first download (its page shows when it is ready)."""
    version = get_object_or_404(visible_reports(access), pk=pk, status=Report.Status.READY)
    try:
        version = services.download(version, acting_user=request.user)
    except NoReport as refusal:
        return refuse(request, str(refusal))
    if version.status != Report.Status.READY:
        messages.info(
            request, _("Making this PDF in your language. This page shows when it is ready.")
        )
        return redirect(version)
    return files.download(version.file, filename=version.filename)


@require_POST
@account_view("reports.request")
def retry(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(visible_reports(access), pk=pk)
    if not services.retry(version, acting_user=request.user):
        return refuse(
            request, gettext("This version has not failed: there is nothing to try again.")
        )
    messages.info(request, _("Trying again. This page shows when it is ready."))
    return redirect(version)

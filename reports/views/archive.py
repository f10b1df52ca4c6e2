"""The account's reviews and Wrapped, and asking for a Wrapped from there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import NoReport
from ..forms import ReviewAskForm, WrappedYearForm
from ..models import Report


def _context(
    access: AccountAccess,
    year_form: WrappedYearForm | None = None,
    ask_form: ReviewAskForm | None = None,
) -> dict[str, Any]:
    return {
        "access": access,
        "account": access.account,
        "documents": services.archive(access.account, customer=access.is_customer),
        "year_form": year_form or WrappedYearForm(),
        "note_year": timezone.localdate().year,
        # Asking for a review: the form for executives and champions, the last ask for all.
        "ask_form": ask_form or ReviewAskForm(),
        "last_ask": services.last_review_request(access.account),
    }


@account_view("reports.view")
def archive(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, "reports/archive.html", _context(access))


def asked(request: AuthenticatedHttpRequest, version: Report, made_new: bool) -> HttpResponse:
    """After asking for a PDF: to the page of its version, which polls until it is ready."""
    if not made_new and version.status == Report.Status.READY:
        messages.info(
            request,
            f"Nothing has changed since version {version.version}: here it is, ready to download.",
        )
    return redirect(version)


@require_POST
@account_view("reports.request")
def request_wrapped(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = WrappedYearForm(request.POST)
    if form.is_valid():
        try:
            version, made_new = services.request_wrapped(
                access.account,
                form.cleaned_data["year"],
                acting_user=request.user,
            )
        except NoReport as exc:
            form.add_error("year", str(exc))
        else:
            return asked(request, version, made_new)
    return render(request, "reports/archive.html", _context(access, form), status=422)

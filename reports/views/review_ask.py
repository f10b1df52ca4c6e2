"""A champion or executive asks their CSM for a business review, from the reviews page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import ReviewAskForm
from .archive import _context


@require_POST
@account_view("reports.ask")
def review_ask(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ReviewAskForm(request.POST)
    if form.is_valid():
        try:
            services.ask_for_review(
                access.account,
                acting_user=request.user,
                note=form.cleaned_data["note"],
                preferred_month=form.cleaned_data["preferred_month"],
            )
        except services.AlreadyAsked as exc:
            form.add_error(None, str(exc))
        else:
            owner = access.account.owner
            messages.success(
                request,
                _("Asked: %(csm)s has been told and will be in touch to plan it.")
                % {"csm": owner.display_name if owner else _("your customer success manager")},
            )
            return redirect("reports", access.account.slug)
    context = _context(access, ask_form=form)
    return render(request, "reports/archive.html", context, status=422)

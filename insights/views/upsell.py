"""Close an upsell lead (CSQL) as won, lost or dismissed, from the book of business or the
account's 360° page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from ..forms import UpsellCloseForm
from ..services.upsell import close_upsell_lead


@require_POST
@account_view("insights.upsell_leads")
def upsell_lead_close(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    lead = get_object_or_404(access.account.upsell_leads, pk=pk)
    form = UpsellCloseForm(request.POST)
    if not form.is_valid():
        return refuse(request, "Close a lead as won, lost or dismissed.")
    try:
        lead = close_upsell_lead(lead, status=form.cleaned_data["status"], acting_user=request.user)
    except ValidationError as error:
        return refuse(request, error.messages[0])
    messages.success(
        request,
        f"The upsell lead on {access.account.name} is closed: {lead.get_status_display().lower()}.",
    )
    if form.cleaned_data.get("back") == "book":
        return redirect("book")
    return redirect("account_360", access.account.slug)

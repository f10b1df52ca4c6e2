"""Filling in or editing the handover (the CSM's): the form and its three lists."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import handover_of
from ..forms import HandoverForms

PAGE = "handover/edit.html"


@require_http_methods(["GET", "HEAD", "POST"])
@account_view("handover.edit")
def handover_edit(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    found = handover_of(access.account)
    forms = HandoverForms(found, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if forms.is_valid():
            try:
                services.save_handover(access.account, forms.data(), acting_user=request.user)
            except services.HandoverInvalid:
                # The forms check the same first; the service's own words are for the API.
                forms.objectives_error = _(
                    "The handover could not be saved: check that each objective, stakeholder "
                    "and promise is named once, with a valid e-mail address and amount."
                )
            else:
                messages.success(request, _("Handover saved."))
                return redirect("handover", access.account.slug)
        status = 422
    context = {"access": access, "account": access.account, "handover": found, "forms": forms}
    return render(request, PAGE, context, status=status)

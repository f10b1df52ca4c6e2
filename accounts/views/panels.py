"""One panel of the account page, loaded on its own (see :mod:`accounts.panels`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.htmx import is_htmx

from ..access import AccountAccess, account_view
from ..http import AuthenticatedHttpRequest
from ..panels import get_panel_slot, render_panel


@require_GET
@account_view()
def account_panel(
    request: AuthenticatedHttpRequest, access: AccountAccess, name: str
) -> HttpResponse:
    """htmx gets the panel alone (nothing, when it has nothing to show, so that its placeholder
    goes away); a plain request, the link without JavaScript, a page around it."""
    slot = get_panel_slot(name)
    if slot is None:
        raise Http404("No such panel.")
    if not slot.offered_to(access):
        raise PermissionDenied(_("Your role on this account does not show this panel."))
    html = render_panel(slot, request, access)
    if is_htmx(request):
        return HttpResponse(html)
    context = {"access": access, "account": access.account, "slot": slot, "panel": html}
    return render(request, "accounts/account_panel.html", context)

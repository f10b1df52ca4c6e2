"""The customer's renewal page: what the contract includes, usage against it, and the renewal
checklist both sides tick. Never the forecast, the amounts or why a renewal was lost."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial
from value.figures import panel_value

from .. import figures, services
from ..forms import TickForm
from ..models import RenewalStep

PAGE = "renewals/customer.html"


def _context(access: AccountAccess) -> dict[str, object]:
    today = timezone.localdate()
    renewal, entitlement = figures.renewal_page(access.account, today)
    return {
        "access": access,
        "renewal": renewal,
        "contract": renewal.contract if renewal else None,
        "days_left": (renewal.renews_on - today).days if renewal else None,
        "entitlement": entitlement,
        "checklist": figures.checklist(renewal) if renewal else None,
        # What the contract has been worth to them (the value app's shared KPIs), the same
        # figure as on the value page, the executive's home and the reviews, in one query.
        "value": panel_value(access.account, today) if renewal else None,
    }


@require_safe
@account_view("renewals.view_own")
def renewal_page(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, PAGE, _context(access))


@require_POST
@account_view("renewals.tick_step")
def renewal_step_tick(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    step = get_object_or_404(RenewalStep.objects.filter(renewal__account=access.account), pk=pk)
    form = TickForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a checkbox is always valid
        return refuse(request, gettext("Tick or untick the step."))
    try:
        services.tick_step(
            step, done=form.cleaned_data["done"], access=access, acting_user=request.user
        )
    except ValidationError as error:
        return refuse(request, error.messages[0], status=403)
    if not is_htmx(request):
        return redirect("renewal_page", access.account.slug)
    return render_partial(request, PAGE, "checklist", _context(access))

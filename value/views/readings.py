"""Recording a KPI's quantity on a date (the vendor), and the customer confirming the figure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse, render_partial

from ..forms import ReadingForm
from ..services import confirm_value_kpi, record_value_reading
from .page import TEMPLATE, kpi_for_viewer, page_context


def _done(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    if not request.htmx:
        return redirect("value", access.account.slug)
    return render_partial(request, TEMPLATE, "figures", page_context(access))


@require_POST
@account_view("value.edit")
def value_reading_add(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    kpi = kpi_for_viewer(access, pk)
    form = ReadingForm(request.POST)
    if not form.is_valid():
        return refuse(
            request,
            _("The reading for “%(name)s” was not recorded. %(problem)s")
            % {"name": kpi.name, "problem": form.message()},
        )
    try:
        record_value_reading(
            kpi,
            day=form.cleaned_data["day"],
            quantity=form.cleaned_data["quantity"],
            acting_user=request.user,
        )
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    return _done(request, access)


@require_POST
@account_view("value.confirm")
def value_kpi_confirm(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    kpi = kpi_for_viewer(access, pk)
    try:
        confirm_value_kpi(kpi, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    return _done(request, access)

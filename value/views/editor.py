"""Defining a value KPI with the customer, changing it, removing it (the vendor's)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

from ..forms import DEFINITION, ValueKPIForm
from ..models import ValueKPI
from ..services import change_value_kpi, define_value_kpi, remove_value_kpi
from .page import kpi_for_viewer

TEMPLATE = "value/editor.html"


@account_view("value.edit")
def value_kpi_create(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ValueKPIForm(request.POST or None, instance=ValueKPI(account=access.account), new=True)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in DEFINITION}
        try:
            kpi = define_value_kpi(
                access.account,
                fields=fields,
                current=form.cleaned_data["current"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is defined.") % {"name": kpi.name})
            return redirect("value", access.account.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, TEMPLATE, {"access": access, "form": form}, status=status)


@account_view("value.edit")
def value_kpi_edit(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    kpi = kpi_for_viewer(access, pk)
    form = ValueKPIForm(request.POST or None, instance=kpi, new=False)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in DEFINITION}
        try:
            change_value_kpi(kpi, fields=fields, acting_user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": fields["name"]})
            return redirect("value", access.account.slug)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "form": form, "kpi": kpi}
    return render(request, TEMPLATE, context, status=status)


@require_POST
@account_view("value.edit")
def value_kpi_remove(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    kpi = kpi_for_viewer(access, pk)
    remove_value_kpi(kpi, acting_user=request.user)
    messages.success(request, _("“%(name)s” is removed, with its readings.") % {"name": kpi.name})
    return redirect("value", access.account.slug)

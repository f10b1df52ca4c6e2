"""Upsell leads (CSQLs) on an account: the CSM raises one by hand (the 360° card), and moves
one along: passed to sales, won (with the ARR it added), lost (with why) or dismissed, from the
book of business or the 360° card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from ..forms import UpsellMoveForm, UpsellRaiseForm
from ..models import UpsellLead
from ..services.upsell import move_upsell_lead, raise_upsell_lead

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _first_error(form: UpsellMoveForm | UpsellRaiseForm, fallback: str) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        if label:
            return gettext("%(label)s: %(error)s") % {"label": label, "error": errors[0]}
        return str(errors[0])
    return fallback


@require_POST
@account_view("insights.upsell_leads")
def upsell_lead_close(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    lead = get_object_or_404(access.account.upsell_leads, pk=pk)
    form = UpsellMoveForm(request.POST)
    if not form.is_valid():
        return refuse(
            request, gettext("Pass a lead to sales, or close it as won, lost or dismissed.")
        )
    data = form.cleaned_data
    try:
        lead = move_upsell_lead(
            lead,
            status=data["status"],
            won_amount=data.get("won_amount"),
            lost_reason=data.get("lost_reason") or "",
            acting_user=request.user,
        )
    except ValidationError as error:
        return refuse(request, error.messages[0])
    moved: dict[str, StrOrPromise] = {
        UpsellLead.Status.PASSED: gettext_lazy(
            "The upsell lead on %(account)s is passed to sales."
        ),
        UpsellLead.Status.WON: gettext_lazy("The upsell lead on %(account)s is won."),
        UpsellLead.Status.LOST: gettext_lazy("The upsell lead on %(account)s is lost."),
        UpsellLead.Status.DISMISSED: gettext_lazy("The upsell lead on %(account)s is dismissed."),
    }
    messages.success(request, str(moved[lead.status]) % {"account": access.account.name})
    if data.get("back") == "book":
        return redirect("book")
    return redirect("account_360", access.account.slug)


@require_POST
@account_view("insights.upsell_leads")
def upsell_lead_raise(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = UpsellRaiseForm(request.POST)
    if not form.is_valid():
        return refuse(request, _first_error(form, gettext("Say why this account could grow.")))
    try:
        raise_upsell_lead(
            access.account,
            reason=form.cleaned_data["reason"],
            amount_guess=form.cleaned_data.get("amount_guess"),
            acting_user=request.user,
        )
    except ValidationError as error:
        return refuse(request, error.messages[0])
    messages.success(
        request, gettext("Upsell lead raised on %(account)s.") % {"account": access.account.name}
    )
    return redirect("account_360", access.account.slug)

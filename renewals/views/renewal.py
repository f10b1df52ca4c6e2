"""One renewal, as the CS team moves it on: stage, forecast, amounts, why it was lost."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import figures, services
from ..forms import RenewalForm

PAGE = "renewals/renewal.html"


@require_http_methods(["GET", "HEAD", "POST"])
@account_view("renewals.edit")
def renewal_edit(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    renewal = get_object_or_404(
        access.account.renewals.select_related("contract", "churn_reason"), pk=pk
    )
    initial = {
        "stage": renewal.stage,
        "forecast": renewal.forecast,
        "forecast_reason": renewal.forecast_reason,
        "amount_committed": renewal.amount_committed,
        "churn_reason": renewal.churn_reason_id,
        "churn_note": renewal.churn_note,
    }
    form = RenewalForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current=renewal.churn_reason,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_renewal(renewal, **form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request,
                    gettext("%(account)s's renewal is saved.") % {"account": access.account.name},
                )
                return redirect("renewals_pipeline")
        status = 422
    context = {
        "access": access,
        "renewal": renewal,
        "form": form,
        "checklist": figures.checklist(renewal),
    }
    return render(request, PAGE, context, status=status)

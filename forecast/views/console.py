"""The vendor's churn forecast: the accounts of the viewer's book likeliest to churn first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from .. import figures

PER_PAGE = 25


@vendor_view()
def forecast_console(request: AuthenticatedHttpRequest) -> HttpResponse:
    forecasts = figures.ranked_forecasts(Account.objects.visible_to(request.user))
    page = Paginator(forecasts, PER_PAGE).get_page(request.GET.get("page"))
    model = figures.current_model()
    return render(
        request,
        "forecast/console.html",
        {
            "model": model,
            "history": None if model else figures.history(),
            "page": page,
            "forecasts": figures.shown(page.object_list),
        },
    )

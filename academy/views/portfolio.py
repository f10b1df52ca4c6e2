"""Training across the portfolio: each account's completion of the courses assigned there."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from ..figures import portfolio_training


@require_safe
@vendor_view()
def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    training = portfolio_training(Account.objects.visible_to(request.user))
    return render(request, "academy/portfolio.html", {"training": training})

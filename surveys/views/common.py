"""What every survey view shares: the page for a refusal, and look-ups through the account."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import AccountAccess

from ..models import Delivery
from ..services import SurveyError


def problem(request: HttpRequest, error: SurveyError) -> HttpResponse:
    """A refusal, as a clear page with its 4xx status. To htmx it is a 422, the one 4xx the
    base template swaps in, so the message replaces the prompt in place."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "surveys/problem.html#problem", {"error": error}, status=422)
    return render(request, "surveys/problem.html", {"error": error}, status=error.status)


def get_delivery(request: HttpRequest, access: AccountAccess, pk: int) -> Delivery:
    """One of the viewer's own deliveries on this account; 404 for anyone else's."""
    delivery = (
        Delivery.objects.filter(account=access.account, user=request.user, pk=pk)
        .select_related("campaign__survey")
        .first()
    )
    if delivery is None:
        raise Http404("No such survey.")
    delivery.account = access.account
    return delivery

"""What every survey view shares: refusals, look-ups through the account, paging."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse
from portal.params import positive_int

from ..models import Delivery
from ..services import SurveyError


def problem(request: HttpRequest, error: SurveyError) -> HttpResponse:
    """A refusal. htmx gets a 422 whose message the page shows in its notice region (what it
    targeted stays as it was); a plain request a clear page with the refusal's own 4xx."""
    if is_htmx(request):
        return refuse(request, error.message)
    return render(request, "surveys/problem.html", {"error": error}, status=error.status)


def get_delivery(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> Delivery:
    """One of the viewer's own deliveries on this account; 404 for anyone else's."""
    delivery = (
        Delivery.objects.filter(account=access.account, user=request.user, pk=pk)
        .select_related("campaign__survey")
        .first()
    )
    if delivery is None:
        raise Http404(gettext("No such survey."))
    delivery.account = access.account
    return delivery


def page_of(request: HttpRequest, items: Any, per_page: int) -> Page[Any]:
    """The page of ``items`` that ``?page=`` names: the first without one, the last past the
    end; a 404 for a page that is not a whole number of at least 1."""
    raw = request.GET.get("page")
    number = 1 if raw is None else positive_int(raw)
    if number is None:
        raise Http404(gettext("No such page."))
    return Paginator(items, per_page).get_page(number)

"""The CSM's book of business: revenue, health, renewals and quiet accounts of the portfolio
(every account for a CS admin, who may narrow it to one CSM's)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account, User

from ..figures.book import PERIODS, SHOWN, book_of_business, period_start
from ..figures.upsell import first_open_upsell_leads, with_active_leads
from ..forms import BookForm


@vendor_view()
def book(request: AuthenticatedHttpRequest) -> HttpResponse:
    accounts: QuerySet[Account] = Account.objects.visible_to(request.user)
    # The CSMs whose accounts the viewer sees: a CSM sees only their own, so has no choice.
    owners = (
        User.objects.filter(pk__in=accounts.order_by().values("owner_id"))
        .only("pk", "name", "email")
        .order_by("name")
    )
    form = BookForm(request.GET, owners=owners)
    valid = form.is_valid()
    owner = form.cleaned_data.get("owner") if valid else None
    if owner is not None:
        accounts = accounts.filter(owner=owner)
    with_csqls = valid and form.cleaned_data.get("csql") == "open"
    if with_csqls:
        accounts = with_active_leads(accounts)
    today = timezone.localdate()
    key = form.period_key
    leads, open_leads = first_open_upsell_leads(accounts, SHOWN)
    context = {
        "book": book_of_business(accounts, start=period_start(key, today), today=today),
        "form": form,
        "period_key": key,
        "periods": PERIODS,
        "owner": owner,
        "owners": owners if len(owners) > 1 or owner is not None else None,
        "upsell_leads": leads,
        "open_leads": open_leads,
        "with_csqls": with_csqls,
    }
    return render(request, "insights/book.html", context, status=200 if valid else 422)

"""The CS team's advocacy board (/advocacy/): who said yes to what, the references and their
calls this quarter against the cap, referrals by status. Over the viewer's accounts (a CSM's
portfolio, every account for a CS admin); each list is paged, the queries the same whatever
the numbers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from .. import figures
from ..models import REFERRAL_STATUS_IN_SENTENCE, ReferralStatus

PER_PAGE = 20


@require_safe
@vendor_view()
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    accounts = Account.objects.visible_to(request.user)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in ReferralStatus.values else ""
    advocates = Paginator(figures.advocates(accounts, today), PER_PAGE).get_page(
        request.GET.get("advocates")
    )
    context = {
        "totals": figures.ask_totals(accounts),
        "yes": Paginator(figures.said_yes(accounts), PER_PAGE).get_page(request.GET.get("yes")),
        "advocates": advocates,
        "referrals": Paginator(figures.referrals(accounts, status), PER_PAGE).get_page(
            request.GET.get("referrals")
        ),
        "by_status": figures.referrals_by_status(accounts),
        "status": status,
        "status_in_sentence": REFERRAL_STATUS_IN_SENTENCE[ReferralStatus(status)] if status else "",
        "calls": figures.calls_this_quarter(accounts, today),
        "case_studies": figures.case_studies(accounts)[:10],
        "rules": figures.rules(),
        "statuses": ReferralStatus.choices,
        "quarter": figures.quarter_of(today),
        "nav_section": "advocacy",
    }
    return render(request, "advocacy/board.html", context)

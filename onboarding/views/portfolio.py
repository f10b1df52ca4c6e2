"""Every onboarding in the CSM's portfolio (a CS admin: all), at risk first."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import vendor_view
from accounts.models import Account

from ..figures import RANK, Status, median_time_to_value, onboardings_for, percent
from ..models import Checklist

SORTS = {
    "status": ["rank", "account__name"],
    "account": ["account__name"],
    "-account": ["-account__name"],
    "done": ["done_share", "account__name"],
    "-done": ["-done_share", "account__name"],
    "overdue": ["-overdue", "account__name"],
    "quiet": ["last_customer_activity", "account__name"],
    "golive": ["go_live", "account__name"],
}
COLUMNS = [
    ("account", "Account"),
    ("template", "Template"),
    ("done", "Done"),
    ("overdue", "Overdue"),
    ("quiet", "Last customer activity"),
    ("golive", "Projected go-live"),
    ("status", "Status"),
]


@vendor_view()
def onboarding_portfolio(request: HttpRequest) -> HttpResponse:
    checklists = onboardings_for(request.user)
    ranks = list(checklists.values_list("rank", flat=True))
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "status")
    sort = sort if sort in SORTS else "status"
    if status in RANK:
        checklists = checklists.filter(rank=RANK[status])
    if query:
        checklists = checklists.filter(account__name__icontains=query)
    page = Paginator(checklists.order_by(*SORTS[sort]), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for checklist in page.object_list:
        state = next(s for s, r in RANK.items() if r == checklist.rank)
        quiet_since = checklist.last_customer_activity
        rows.append(
            {
                "checklist": checklist,
                "percent": percent(checklist.required_done, checklist.required_total),
                "status": state,
                "status_label": Status.LABELS[state],
                "quiet_days": (today - timezone.localtime(quiet_since).date()).days
                if quiet_since
                else None,
            }
        )
    all_ttv = Checklist.objects.filter(
        account__in=Account.objects.visible_to(request.user), value_reached_at__isnull=False
    ).only("kickoff_date", "value_reached_at")
    params = {"q": query, "status": status}
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "status": status,
        "statuses": [(s, Status.LABELS[s]) for s in RANK],
        "sort": sort,
        "columns": [
            {
                "label": label,
                "url": "?" + urlencode({**params, "sort": key}),
                "aria_sort": "ascending" if sort == key else "",
            }
            for key, label in COLUMNS
        ],
        "median_ttv": median_time_to_value(all_ttv),
        "counts": {s: ranks.count(r) for s, r in RANK.items()} | {"total": len(ranks)},
    }
    template = (
        "onboarding/portfolio.html#onboarding-table"
        if request.htmx
        else "onboarding/portfolio.html"
    )  # type: ignore[attr-defined]
    return render(request, template, context)

"""The onboarding portfolio: every onboarding of the CSM's accounts (a CS admin: all), at risk
first, with the same figures as each checklist's page."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account
from portal.htmx import refuse, render_partial
from portal.params import positive_int

from ..figures import (
    RANK,
    ActivityAnnotations,
    Status,
    figures_of_annotations,
    median_time_to_value,
    onboardings_for,
)
from ..forms import PortfolioFilters
from ..models import Checklist

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PER_PAGE = 50
SORTS = {
    "status": ["rank", "account__name"],
    "account": ["account__name"],
    "-account": ["-account__name"],
    "done": ["done_share", "account__name"],
    "-done": ["-done_share", "account__name"],
    "overdue": ["-counted_overdue", "account__name"],
    "quiet": ["last_customer_activity", "account__name"],
    "golive": ["go_live", "account__name"],
}
COLUMNS = [
    ("account", gettext_lazy("Account")),
    ("template", gettext_lazy("Template")),
    ("done", pgettext_lazy("status", "Done")),
    ("overdue", gettext_lazy("Overdue")),
    ("quiet", gettext_lazy("Last customer activity")),
    ("golive", gettext_lazy("Projected go-live")),
    ("status", gettext_lazy("Status")),
]


def page_number(
    request: HttpRequest,
    paginator: Paginator[WithAnnotations[Checklist, ActivityAnnotations]],
) -> Page[WithAnnotations[Checklist, ActivityAnnotations]]:
    """The page asked for: none is the first; anything but an existing page is a 404."""
    raw = request.GET.get("page")
    if raw is None:
        return paginator.page(1)
    number = positive_int(raw, most=paginator.num_pages)
    if number is None:
        raise Http404("No such page.")
    return paginator.page(number)


@vendor_view()
def onboarding_portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = PortfolioFilters(request.GET, statuses=Status.LABELS, sorts=list(SORTS))
    if not filters.is_valid():
        return refuse(request, " ".join(filters.problems()))
    query, status = filters.cleaned_data["q"], filters.cleaned_data["status"]
    sort = filters.cleaned_data["sort"] or "status"
    today = timezone.localdate()
    checklists = onboardings_for(request.user, today)
    ranks = list(checklists.values_list("rank", flat=True))
    if status:
        checklists = checklists.filter(rank=RANK[status])
    if query:
        checklists = checklists.filter(account__name__icontains=query)
    page = page_number(request, Paginator(checklists.order_by(*SORTS[sort], "pk"), PER_PAGE))
    rows = []
    for checklist in page.object_list:
        quiet_since = checklist.last_customer_activity
        rows.append(
            {
                "checklist": checklist,
                "figures": figures_of_annotations(checklist, today),
                "quiet_days": (today - timezone.localdate(quiet_since)).days
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
        "statuses": list(Status.LABELS.items()),
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
    return render_partial(request, "onboarding/portfolio.html", "onboarding-table", context)

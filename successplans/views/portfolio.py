"""Every onboarding in the CSM's portfolio (a CS admin: all), at risk first."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import vendor_view
from accounts.models import Account, Activity

from ..models import Checklist
from ..onboarding import Status, median_time_to_value, percent

RANK = {Status.AT_RISK: 0, Status.ON_TRACK: 1, Status.NOT_STARTED: 2, Status.COMPLETED: 3}
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


def onboardings_for(user: object) -> QuerySet[Checklist]:
    """The portfolio's checklists with their figures, computed in the database."""
    today = timezone.localdate()
    last_customer_activity = (
        Activity.objects.filter(account=OuterRef("account"), actor__vendor_role="")
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    required = Q(tasks__required=True)
    open_task = Q(tasks__completed_at__isnull=True)
    return (
        Checklist.objects.filter(account__in=Account.objects.visible_to(user))
        .select_related("account", "account__owner")
        .annotate(
            required_total=Count("tasks", filter=required),
            required_done=Count("tasks", filter=required & ~open_task),
            overdue=Count("tasks", filter=open_task & Q(tasks__due_date__lt=today)),
            overdue_required=Count(
                "tasks", filter=required & open_task & Q(tasks__due_date__lt=today)
            ),
            done_any=Count("tasks", filter=~open_task),
            last_open_due=Max("tasks__due_date", filter=open_task),
            last_customer_activity=Subquery(last_customer_activity),
        )
        .annotate(
            rank=Case(
                When(Q(required_total__gt=0) & Q(required_done=F("required_total")), then=Value(3)),
                When(overdue_required__gt=0, then=Value(0)),
                When(Q(kickoff_date__gt=today) & Q(done_any=0), then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            done_share=Case(
                When(required_total=0, then=Value(100)),
                default=100 * F("required_done") / F("required_total"),
                output_field=IntegerField(),
            ),
            go_live=Case(
                When(last_open_due__lt=today, then=Value(today)),
                default=F("last_open_due"),
            ),
        )
    )


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
        "successplans/portfolio.html#onboarding-table"
        if request.htmx
        else "successplans/portfolio.html"
    )  # type: ignore[attr-defined]
    return render(request, template, context)

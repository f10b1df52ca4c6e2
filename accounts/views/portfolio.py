"""The CSM's portfolio (book of business); a CS admin sees every account."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.params import positive_int

from ..access import vendor_view
from ..http import AuthenticatedHttpRequest
from ..models import Account, Segment, Stage, User, VendorRole
from ..portfolio_columns import (
    annotate_columns,
    header_links,
    portfolio_columns,
    rows_template,
    sort_by,
    sort_label,
    valid_sort,
)


@vendor_view()
def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    accounts = Account.objects.visible_to(user).select_related("owner")
    query = request.GET.get("q", "").strip()[:100]
    segment = request.GET.get("segment", "")
    stage = request.GET.get("stage", "")
    owner = request.GET.get("owner", "")
    columns = portfolio_columns()
    sort = valid_sort(columns, request.GET.get("sort", "name"))
    if query:
        accounts = accounts.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if segment in Segment.values:
        accounts = accounts.filter(segment=segment)
    if stage in Stage.values:
        accounts = accounts.filter(stage=stage)
    if (owner_id := positive_int(owner)) is not None:
        accounts = accounts.filter(owner_id=owner_id)
    elif owner == "none":
        accounts = accounts.filter(owner__isnull=True)
    # Each column adds its figure as a subquery: the page's queries do not grow with it.
    rows = sort_by(annotate_columns(accounts, columns), columns, sort)
    totals = Account.objects.visible_to(user).aggregate(
        accounts=Count("id"),
        onboarding=Count("id", filter=Q(stage=Stage.ONBOARDING)),
        renewing_soon=Count(
            "id",
            filter=Q(
                renewal_date__gte=timezone.localdate(),
                renewal_date__lte=timezone.localdate() + timedelta(days=90),
            ),
        ),
    )
    paginator = Paginator(rows, 50)
    if not (query or segment in Segment.values or stage in Stage.values or owner):
        paginator.count = totals["accounts"]  # the same accounts: no COUNT query of its own
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "segment": segment,
        "stage": stage,
        "owner": owner,
        "sort": sort,
        "sort_label": sort_label(columns, sort),
        "columns": columns,
        "rows_template": rows_template(columns),
        "headers": header_links(
            columns, {"q": query, "segment": segment, "stage": stage, "owner": owner}, sort
        ),
        "segments": Segment.choices,
        "stages": Stage.choices,
        "owners": User.objects.filter(vendor_role=VendorRole.CSM) if user.is_cs_admin else None,
        "totals": totals,
    }
    template = (
        "accounts/portfolio.html#account-table" if request.htmx else "accounts/portfolio.html"
    )
    return render(request, template, context)

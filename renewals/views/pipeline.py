"""The renewal pipeline: the CSM's renewals of the next twelve months (a CS admin's: the whole
team's), by month, with the forecast NRR of the quarter; and the same rows as CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account, User
from portal.csv_export import safe_cell
from portal.paging import page_of

from .. import figures
from ..forms import PipelineFilterForm

PER_PAGE = 50


def _scope(request: AuthenticatedHttpRequest) -> tuple[Any, PipelineFilterForm, dict[str, Any]]:
    accounts = Account.objects.visible_to(request.user)
    owners = User.objects.filter(is_active=True).exclude(vendor_role="").order_by("name", "email")
    form = PipelineFilterForm(request.GET or None, owners=owners)
    return accounts, form, form.filters()


@require_safe
@vendor_view()
def pipeline(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    accounts, form, filters = _scope(request)
    if filters["owner"] is not None:
        accounts = accounts.filter(owner_id=filters["owner"])
    rows = figures.pipeline(figures.renewals_of(accounts), today, **filters)
    page = page_of(request, rows, PER_PAGE)
    return render(
        request,
        "renewals/pipeline.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "page": page,
            "beside": figures.beside(sorted({r.account_id for r in page}), today),
            "totals": figures.totals(rows),
            "months": figures.month_totals(rows),
            "nrr": figures.forecast_nrr(accounts, today),
            "at_risk_weight": figures.AT_RISK_WEIGHT,
            "today": today,
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@vendor_view()
def pipeline_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    accounts, _form, filters = _scope(request)
    rows = figures.pipeline(figures.renewals_of(accounts), today, **filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="renewals-{today:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Account", "Owner", "Product", "Renewal date", "Stage", "Forecast", "Forecast reason",
            "ARR at stake", "Amount committed", "Health", "Reason lost", "Note",
        ]
    )  # fmt: skip
    for r in rows.iterator(chunk_size=500):
        owner = r.account.owner
        writer.writerow(
            [
                safe_cell(r.account.name),
                safe_cell(owner.display_name if owner else ""),
                safe_cell(r.contract.product or r.contract.external_id),
                r.renews_on.isoformat(),
                r.get_stage_display(),
                r.get_forecast_display(),
                safe_cell(r.forecast_reason),
                r.amount_at_stake,
                "" if r.amount_committed is None else r.amount_committed,
                "" if r.health_score is None else r.health_score,  # type: ignore[attr-defined]
                safe_cell(r.churn_reason.name if r.churn_reason else ""),
                safe_cell(r.churn_note),
            ]
        )
    return response

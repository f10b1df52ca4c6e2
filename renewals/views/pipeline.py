"""The renewal pipeline: the CSM's renewals of the next twelve months (a CS admin's: the whole
team's), by month, with the forecast NRR of the quarter; and the same rows as CSV."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account, User
from forecast import figures as forecast_figures
from portal import formatting
from portal.csv_export import safe_cell
from portal.paging import page_of

from .. import figures
from ..forms import PipelineFilterForm

PER_PAGE = 50


class Row(NamedTuple):
    month: date
    html: SafeString


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
    summary = figures.summary(rows)
    page = page_of(request, figures.pipeline_rows(rows), PER_PAGE, count=summary.totals.count)
    found = figures.page_rows(page.object_list)
    beside = figures.beside(sorted({r.account_id for r in found}), today)
    churn = forecast_figures.trained()
    owner = request.user.is_cs_admin
    return render(
        request,
        "renewals/pipeline.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "page": page,
            "rows": [
                Row(r.month, row_html(r, beside.get(r.account_id), churn=churn, owner=owner))
                for r in found
            ],
            "totals": summary.totals,
            "months": summary.months,
            # Vendor staff only (this view): the stored churn forecast of each row's account.
            "churn_trained": churn,
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


# A row of the pipeline's tables, made here rather than in the template: a page of 50 rows of
# ten cells costs several times the rest of the page in template variables and filters. The
# markup is the template's; the template places the rows.


def _cell_usage(b: figures.Beside | None) -> str | SafeString:
    if b is None:
        return mark_safe('<span class="muted">no usage</span>')
    wau = format_html(
        '<span class="muted small">WAU {}</span>',
        formatting.number(b.usage.wau) if b.usage else None,
    )
    if b.usage_change is not None:
        down = b.usage_change < 0
        return format_html(
            '<span class="trend {}">{} {}</span> {}',
            "trend-down" if down else "trend-up",
            "↓" if down else "↑",
            (formatting.rate(b.usage_change) or "").replace("-", ""),
            wau,
        )
    if b.usage:
        return wau
    return mark_safe('<span class="muted">no usage</span>')


def row_html(
    r: figures.PipelineRow, b: figures.Beside | None, *, churn: bool, owner: bool
) -> SafeString:
    """One renewal's ``<tr>``, escaped as the template escapes."""
    parts = [
        format_html('      <tr class="renewal-row forecast-{}">\n', r.forecast),
        format_html(
            '        <td><a class="account-link" href="{}"><span class="swatch"{} aria-hidden="true">'
            '</span>{}</a><br><span class="muted small">{}</span></td>\n',
            r.url,
            format_html(' style="--brand: {}"', r.brand_color) if r.brand_color else "",
            r.account_name,
            r.product,
        ),
        format_html("        <td>{}</td>\n", dateformat.format(r.renews_on, "j M Y")),
        format_html(
            '        <td><span class="badge badge-renewal-{}">{}</span>{}</td>\n',
            r.stage,
            r.stage_label,
            format_html('<br><span class="muted small">{}</span>', r.churn_reason)
            if r.churn_reason
            else "",
        ),
        format_html(
            '        <td><span class="badge badge-forecast-{}">{}</span>{}</td>\n',
            r.forecast,
            r.forecast_label,
            format_html(
                '<br><span class="muted small">{}</span>', Truncator(r.forecast_reason).chars(60)
            )
            if r.forecast_reason
            else "",
        ),
    ]
    if churn:
        c = r.churn
        parts.append(
            format_html(
                '        <td><span class="badge badge-band-{} churn-risk"{}>{}%<span class="visually-hidden"> '
                'chance of churning{}</span></span><br><span class="muted small">{}</span></td>',
                c.badge,
                format_html(' title="{}"', c.driver) if c.driver else "",
                c.percent,
                format_html("; most of all: {}", c.driver) if c.driver else "",
                c.label,
            )
            if c
            else mark_safe('        <td><span class="muted">—</span></td>')
        )
    parts += [
        format_html('\n        <td class="num">{}</td>\n', formatting.money(r.amount_at_stake)),
        format_html(
            '        <td class="num">{}</td>\n', formatting.money(r.amount_committed) or "—"
        ),
        format_html(
            "        <td>{}</td>\n",
            format_html(
                '<span class="badge badge-band-{}">{}</span>', r.health_band, r.health_score
            )
            if r.health_band
            else mark_safe('<span class="muted">no score</span>'),
        ),
        format_html(
            '        <td class="num">{}</td>\n',
            formatting.signed(b.nps.score)
            if b and b.nps
            else mark_safe('<span class="muted">—</span>'),
        ),
        format_html("        <td>{}</td>\n", _cell_usage(b)),
    ]
    if owner:
        parts.append(format_html("        <td>{}</td>\n", r.owner_name or "—"))
    parts.append(mark_safe("      </tr>\n"))
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped above

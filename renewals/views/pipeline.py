"""The renewal pipeline: the CSM's renewals of the next twelve months (a CS admin's: the whole
team's), by month, with the forecast NRR of the quarter; and the same rows as CSV."""

from __future__ import annotations

import csv
import html
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext
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


def escape(value: object) -> str:
    """As django.utils.html.escape, without its check for lazy strings and its SafeString: a
    page's rows escape some 400 plain values."""
    return html.escape(str(value))


class Row(NamedTuple):
    month: date
    html: SafeString


def _scope(request: AuthenticatedHttpRequest) -> tuple[Any, PipelineFilterForm, dict[str, Any]]:
    accounts = Account.objects.visible_to(request.user)
    # The menu's names, and the chosen owner's pk: no more of a user is read.
    owners = (
        User.objects.filter(is_active=True)
        .exclude(vendor_role="")
        .order_by("name", "email")
        .only("pk", "name", "email")
    )
    form = PipelineFilterForm(request.GET or None, owners=owners)
    return accounts, form, form.filters()


@require_safe
@vendor_view()
def pipeline(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    accounts, form, filters = _scope(request)
    if filters["owner"] is not None:
        accounts = accounts.filter(owner_id=filters["owner"])
    kept = {"forecast": filters["forecast"], "stage": filters["stage"]}
    summary = figures.summary(accounts, today, **kept)
    rows = figures.PipelineRows(accounts, today, **kept)
    page = page_of(request, rows, PER_PAGE, count=summary.totals.count)
    found = figures.page_rows(page.object_list)
    beside = figures.beside(sorted({r.account_id for r in found}), today)
    churn = forecast_figures.trained()
    owner = request.user.is_cs_admin
    cells = _Cells()
    return render(
        request,
        "renewals/pipeline.html",
        {
            "form": form,
            # The filters' <option>s (the owner's for a CS admin only: the page shows theirs).
            "options": {
                name: form.options(name)
                for name in (("owner",) if owner else ()) + ("forecast", "stage")
            },
            "filtered": any(filters.values()),
            "page": page,
            "renewals": found,
            "beside": beside,
            "rows": [
                Row(r.month, row_html(r, beside.get(r.account_id), cells, churn=churn, owner=owner))
                for r in found
            ],
            "totals": summary.totals,
            # Each month's heading: its name, count and ARR at stake, formatted once a process.
            "month_heads": {
                month: (cells.month(month), mark_safe(cells.number(n)), mark_safe(cells.money(arr)))  # noqa: S308 - escaped by _Cells
                for month, (n, arr) in summary.months.items()
            },
            # Vendor staff only (this view): the stored churn forecast of each row's account.
            "churn_trained": churn,
            # The same column heads over each month's table: translated once a page.
            "table_head": render_to_string(
                "renewals/_pipeline_head.html", {"churn_trained": churn, "user": request.user}
            ),
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
    rows = figures.pipeline(figures.renewals_of(accounts), today, **filters).annotate(
        churn_probability=F("account__churn_forecast__probability")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="renewals-{today:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            gettext("Account"), gettext("Owner"), gettext("Product"), gettext("Renewal date"),
            gettext("Stage"), gettext("Forecast"), gettext("Forecast reason"),
            gettext("ARR at stake"), gettext("Amount committed"), gettext("Health"),
            gettext("Reason lost"), gettext("Note"), gettext("Churn probability"),
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
                _percent(r.churn_probability),
            ]
        )
    return response


def _percent(probability: float | None) -> str:
    return "" if probability is None else f"{round(probability * 100)}%"


# A row of the pipeline's tables, made here rather than in the template: a page of 50 rows of
# ten cells costs several times the rest of the page in template variables and filters. The
# markup is the template's; the template places the rows.


# Formatted figures by language, kind and value, kept by the process (the same amounts, dates
# and counts come back request after request); emptied when it grows past FORMATTED_KEPT.
_formatted: dict[tuple[str, str, str], str] = {}
FORMATTED_KEPT = 20_000


class _Cells:
    """The page's formatted figures, each made once a process and language: amounts, dates,
    counts and changes repeat down a page (an account's renewals share its usage) and from
    one request to the next, and each costs a Babel call."""

    def __init__(self) -> None:
        self.language = formatting.locale()
        # The words every row repeats, translated once a page.
        no_usage, no_score = escape(gettext("no usage")), escape(gettext("no score"))
        self.words = {
            "no_usage": f'<span class="muted">{no_usage}</span>',
            "no_score": f'<span class="muted">{no_score}</span>',
            "wau": escape(pgettext("weekly active users", "WAU")),
        }

    def _once(self, kind: str, value: Any, make: Callable[[Any], str | None]) -> str:
        # repr: 12000 and 12000.00 are equal Decimals, not the same text.
        key = (self.language, kind, repr(value))
        text = _formatted.get(key)
        if text is None:
            if len(_formatted) >= FORMATTED_KEPT:
                _formatted.clear()
            text = _formatted[key] = escape(make(value) or "—")
        return text

    def money(self, amount: Decimal | None) -> str:
        return self._once("money", amount, formatting.money)

    def number(self, value: int | None) -> str:
        return self._once("number", value, formatting.number)

    def signed(self, value: float) -> str:
        return self._once("signed", value, formatting.signed)

    def change(self, value: Decimal) -> str:
        return self._once("change", value, lambda v: (formatting.rate(v) or "").replace("-", ""))

    def month(self, day: date) -> str:
        """As the template's ``long_month``: "March 2026"; "März 2026"."""
        return self._once("month", day, formatting.long_month)

    def date(self, day: date) -> str:
        """As the template's ``short_date``: "1 Jan 2027"; "1. Jan. 2027" in German."""
        return self._once("date", day, formatting.short_date)


NONE = '<span class="muted">—</span>'


def _usage(b: figures.Beside | None, cells: _Cells) -> str:
    if b is None or (b.usage is None and b.usage_change is None):
        return cells.words["no_usage"]
    wau = (
        f'<span class="muted small">{cells.words["wau"]} '
        f"{cells.number(b.usage.wau) if b.usage else ''}</span>"
    )
    if b.usage_change is None:
        return wau
    down = b.usage_change < 0
    return (
        f'<span class="trend {"trend-down" if down else "trend-up"}">{"↓" if down else "↑"} '
        f"{cells.change(b.usage_change)}</span> {wau}"
    )


def row_html(
    r: figures.PipelineRow,
    b: figures.Beside | None,
    cells: _Cells,
    *,
    churn: bool,
    owner: bool,
) -> SafeString:
    """One renewal's ``<tr>``, with the template's markup, every value escaped as the template
    escapes it."""
    swatch = f' style="--brand: {escape(r.brand_color)}"' if r.brand_color else ""
    reason = (
        f'<br><span class="muted small">{escape(r.churn_reason)}</span>' if r.churn_reason else ""
    )
    why = (
        f'<br><span class="muted small">{escape(Truncator(r.forecast_reason).chars(60))}</span>'
        if r.forecast_reason
        else ""
    )
    health = (
        f'<span class="badge badge-band-{escape(r.health_band)}">{escape(r.health_score)}</span>'
        if r.health_band
        else cells.words["no_score"]
    )
    nps = cells.signed(b.nps.score) if b and b.nps and b.nps.score is not None else NONE
    parts = [
        f'      <tr class="renewal-row forecast-{escape(r.forecast)}">\n',
        f'        <td><a class="account-link" href="{escape(r.url)}"><span class="swatch"{swatch} '
        f'aria-hidden="true"></span>{escape(r.account_name)}</a><br><span class="muted small">'
        f"{escape(r.product)}</span></td>\n",
        f"        <td>{cells.date(r.renews_on)}</td>\n",
        f'        <td><span class="badge badge-renewal-{escape(r.stage)}">{escape(r.stage_label)}'
        f"</span>{reason}</td>\n",
        f'        <td><span class="badge badge-forecast-{escape(r.forecast)}">'
        f"{escape(r.forecast_label)}</span>{why}</td>\n",
    ]
    if churn:
        parts.append(f"        <td>{_churn(r.churn, cells)}</td>\n")
    parts += [
        f'        <td class="num">{cells.money(r.amount_at_stake)}</td>\n',
        f'        <td class="num">{cells.money(r.amount_committed)}</td>\n',
        f"        <td>{health}</td>\n",
        f'        <td class="num">{nps}</td>\n',
        f"        <td>{_usage(b, cells)}</td>\n",
    ]
    if owner:
        parts.append(f"        <td>{escape(r.owner_name or '—')}</td>\n")
    parts.append("      </tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def _churn(c: figures.Churn | None, cells: _Cells) -> str:
    if c is None:
        return NONE
    title = f' title="{escape(c.driver)}"' if c.driver else ""
    chance = (
        gettext("%(percent)s%% chance of churning; most of all: %(driver)s")
        % {"percent": c.percent, "driver": escape(c.driver)}
        if c.driver
        else gettext("%(percent)s%% chance of churning") % {"percent": c.percent}
    )
    return (
        f'<span class="badge badge-band-{escape(c.badge)} churn-risk"{title}>'
        f'<span aria-hidden="true">{c.percent}%</span>'
        f'<span class="visually-hidden">{chance}</span></span><br>'
        f'<span class="muted small">{escape(c.label)}</span>'
    )

"""The account's 360° page for vendor staff: revenue, usage, health and its parts, the
sentiment of the customer's comments, contracts, the timeline, and the CSM's pulse.

The page itself is a head (the account and its latest health score); each card loads on its
own (htmx, ``hx-trigger="load"``) from its own address (:func:`account_360_part`), so the page
shows at once and no card waits on another. Without htmx a card's address answers the page
with that card in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Activity
from accounts.panels import panel_slots
from portal.htmx import render_partial
from portal.paging import page_of
from sentiment.figures import trend as sentiment_trend

from ..figures import health, revenue, usage
from ..forms import PulseForm
from ..models import AccountFacts, HealthScore
from ..services.health import set_pulse

PAGE = "insights/account_360.html"
HEALTH_HISTORY_DAYS = 90
CHART_ROWS_PER_PAGE = 30  # the rows of a chart's "figures as a table", a page at a time
CONTRACTS_PER_PAGE = 25
TIMELINE_SHOWN = 30  # the rest is on the account's activity page, paged


def _revenue(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    account, today = access.account, timezone.localdate()
    return {
        "revenue_now": revenue.snapshot(account, today),
        "revenue_year": revenue.period(account, revenue.year_before(today), today),
        "contracts_page": page_of(
            request, account.contracts.order_by("-starts_on", "pk"), CONTRACTS_PER_PAGE
        ),
    }


def _usage(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    summary = usage.usage_summary(access.account, timezone.localdate())
    if summary.get("usage") is not None:
        summary["usage_rows"] = page_of(request, summary["usage_trend"].rows, CHART_ROWS_PER_PAGE)
    return summary


def _health(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    history = list(
        HealthScore.objects.filter(account=access.account).order_by("-day")[:HEALTH_HISTORY_DAYS]
    )[::-1]
    summary = health.health_summary(history)
    if summary.get("health") is not None:
        summary["health_rows"] = page_of(request, summary["health_chart"].rows, CHART_ROWS_PER_PAGE)
    return summary


def _sentiment(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    return {"sentiment": sentiment_trend(access.account, timezone.localdate())}


def _activity(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    return {
        "timeline": Activity.objects.for_account(access.account)[:TIMELINE_SHOWN],
    }


def _pulse(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, Any]:
    facts = AccountFacts.of(access.account)
    return {"facts": facts, "pulse_form": PulseForm(instance=facts)}


# Each card: what it needs, computed only when it is asked for.
PARTS: dict[str, Callable[[AuthenticatedHttpRequest, AccountAccess], dict[str, Any]]] = {
    "revenue": _revenue,
    "usage": _usage,
    "health": _health,
    "sentiment": _sentiment,
    "activity": _activity,
    "pulse": _pulse,
}


def _head(access: AccountAccess, open_parts: tuple[str, ...]) -> dict[str, Any]:
    latest = HealthScore.objects.filter(account=access.account).order_by("-day").first()
    return {
        "access": access,
        "account": access.account,
        "latest_health": latest,
        "open_parts": open_parts,
        # Cards other apps put on this page (accounts.panels, pages=("360",)); none when one
        # card is asked for on its own.
        "panel_slots": [] if open_parts else panel_slots(access, "360"),
    }


@account_view("insights.view_360")
def account_360(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, PAGE, _head(access, ()))


@account_view("insights.view_360")
def account_360_part(
    request: AuthenticatedHttpRequest, access: AccountAccess, part: str
) -> HttpResponse:
    """One card of the page (``?page=`` pages its table): htmx gets the card, a plain request
    the page with this card in it."""
    context = _head(access, (part,)) | PARTS[part](request, access)
    return render_partial(request, PAGE, f"{part}-part", context)


@require_POST
@account_view("insights.pulse")
def pulse(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = PulseForm(request.POST, instance=AccountFacts.of(access.account))
    if not form.is_valid():
        context = _head(access, ("pulse",)) | {
            "facts": AccountFacts.of(access.account),
            "pulse_form": form,
        }
        return render(request, PAGE, context, status=422)
    set_pulse(access.account, form.cleaned_data, acting_user=request.user)
    messages.success(request, gettext("Saved. The health score takes the pulse into account now."))
    return redirect("account_360", access.account.slug)

"""The account's 360° page for vendor staff: revenue, usage, health and its parts, the
sentiment of the customer's comments, contracts, the timeline, and the CSM's pulse."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Activity
from sentiment.figures import trend as sentiment_trend

from ..figures import health, revenue, usage
from ..figures.upsell import open_upsell_leads
from ..forms import PulseForm, UpsellCloseForm
from ..models import AccountFacts, HealthScore
from ..services.health import set_pulse

HEALTH_HISTORY_DAYS = 90


def _page(
    request: AuthenticatedHttpRequest, access: AccountAccess, form: PulseForm, status: int = 200
) -> HttpResponse:
    account = access.account
    today = timezone.localdate()
    history = list(
        HealthScore.objects.filter(account=account).order_by("-day")[:HEALTH_HISTORY_DAYS]
    )[::-1]
    context = {
        "access": access,
        "account": account,
        "facts": AccountFacts.of(account),
        "pulse_form": form,
        "contracts": account.contracts.order_by("-starts_on"),
        "revenue_now": revenue.snapshot(account, today),
        "revenue_year": revenue.period(account, revenue.year_before(today), today),
        "timeline": Activity.objects.for_account(account)[:30],
        "upsell_leads": open_upsell_leads(account),
        "close_choices": UpsellCloseForm.CHOICES,
        **usage.usage_summary(account, today),
        **health.health_summary(history),
        "sentiment": sentiment_trend(account, today),
    }
    return render(request, "insights/account_360.html", context, status=status)


@account_view("insights.view_360")
def account_360(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return _page(request, access, PulseForm(instance=AccountFacts.of(access.account)))


@require_POST
@account_view("insights.pulse")
def pulse(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = PulseForm(request.POST, instance=AccountFacts.of(access.account))
    if not form.is_valid():
        return _page(request, access, form, status=422)
    set_pulse(access.account, form.cleaned_data, acting_user=request.user)
    messages.success(request, "Saved. The health score takes the pulse into account now.")
    return redirect("account_360", access.account.slug)

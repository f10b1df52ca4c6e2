"""The vendor's insight pages: the book of business, the account's 360° page, the pulse, and
the health score settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view, vendor_view
from accounts.activity import record, snapshot
from accounts.models import Account, Activity, User
from portal.charts import line_chart
from portal.jobs import enqueue

from .book import PERIODS, book_of_business, period_start
from .dashboard import usage_summary
from .health import PARTS, compute_health, explain
from .models import AccountFacts, HealthConfig, HealthScore
from .revenue import period
from .revenue import snapshot as revenue_snapshot


class PulseForm(forms.ModelForm):
    class Meta:
        model = AccountFacts
        fields = ["pulse", "pulse_note", "licensed_seats", "customers_see_health"]
        labels = {"pulse": "Your pulse", "pulse_note": "Why", "licensed_seats": "Licensed seats"}
        widgets = {"pulse_note": forms.TextInput}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pulse") and not (data.get("pulse_note") or "").strip():
            self.add_error(
                "pulse_note", "Say in a line why: the next person to read it will thank you."
            )
        return data


class HealthConfigForm(forms.ModelForm):
    class Meta:
        model = HealthConfig
        fields = [
            "usage_weight",
            "sentiment_weight",
            "onboarding_weight",
            "plan_weight",
            "renewal_weight",
            "pulse_weight",
            "healthy_from",
            "at_risk_from",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(f) or 0 for f in self.Meta.fields[:6]]
        if not sum(weights):
            raise forms.ValidationError("At least one part needs a weight above zero.")
        if (
            data.get("at_risk_from") is not None
            and data.get("healthy_from") is not None
            and data["at_risk_from"] >= data["healthy_from"]
        ):
            self.add_error("at_risk_from", "“At risk from” must be below “healthy from”.")
        return data


@vendor_view()
def book(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("period", "quarter")
    key = key if key in PERIODS else "quarter"
    owner = request.GET.get("owner", "")
    accounts = Account.objects.visible_to(request.user)
    if request.user.is_cs_admin and owner.isdigit():  # type: ignore[union-attr]
        accounts = accounts.filter(owner_id=int(owner))
    today = timezone.localdate()
    context = {
        "book": book_of_business(accounts, start=period_start(key, today), today=today),
        "period_key": key,
        "periods": PERIODS,
        "owner": owner,
        "owners": User.objects.filter(vendor_role="csm") if request.user.is_cs_admin else None,  # type: ignore[union-attr]
    }
    return render(request, "insights/book.html", context)


def facts_for(account: Account) -> AccountFacts:
    return AccountFacts.objects.filter(account=account).first() or AccountFacts(account=account)


@account_view("insights.view_360")
def account_360(request: HttpRequest, access: AccountAccess, **extra: Any) -> HttpResponse:
    account = access.account
    today = timezone.localdate()
    facts = facts_for(account)
    single = Account.objects.filter(pk=account.pk)
    history = list(HealthScore.objects.filter(account=account).order_by("-day")[:90])[::-1]
    context = {
        "access": access,
        "account": account,
        "facts": facts,
        "pulse_form": extra.get("pulse_form") or PulseForm(instance=facts),
        "contracts": account.contracts.order_by("-starts_on"),
        "revenue_now": revenue_snapshot(single, today),
        "revenue_year": period(single, today.replace(year=today.year - 1), today),
        "health": history[-1] if history else None,
        "health_history": history,
        "timeline": Activity.objects.for_account(account)[:30],
        **usage_context(account, today),
        **health_context(history),
    }
    return render(request, "insights/account_360.html", context, status=extra.get("status", 200))


@require_POST
@account_view("insights.pulse")
def pulse(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    facts = facts_for(access.account)
    before = (
        snapshot(facts, ["pulse", "pulse_note", "licensed_seats", "customers_see_health"])
        if facts.pk
        else None
    )
    form = PulseForm(request.POST, instance=facts)
    if not form.is_valid():
        return account_360(request, access.account.slug, pulse_form=form, status=422)  # type: ignore[call-arg]
    facts = form.save(commit=False)
    facts.pulse_by, facts.pulse_at = request.user, timezone.now()
    facts.save()
    record(
        "updated the pulse",
        actor=request.user,
        account=access.account,
        target=access.account,
        before=before,
        after=snapshot(facts, ["pulse", "pulse_note", "licensed_seats", "customers_see_health"]),
        internal=True,
    )
    recompute_health(access.account)
    messages.success(request, "Saved. The health score takes the pulse into account now.")
    return redirect("account_360", access.account.slug)


@vendor_view(admin_only=True)
def health_settings(request: HttpRequest) -> HttpResponse:
    config = HealthConfig.current()
    form = HealthConfigForm(request.POST or None, instance=config)
    if request.method == "POST":
        if form.is_valid():
            config = form.save(commit=False)
            config.updated_by = request.user
            config.save()
            record(
                "changed the health score settings",
                actor=request.user,
                target=config,
                after=form.cleaned_data,
                internal=True,
            )
            recompute_all_health()
            messages.success(request, "Saved. Every account's health score is being recomputed.")
            return redirect("health_settings")
        return render(request, "insights/health_settings.html", {"form": form}, status=422)
    return render(request, "insights/health_settings.html", {"form": form})


# Usage and health come from insights.usage and insights.health -------------------------------


def usage_context(account: Account, today: Any) -> dict[str, Any]:
    return usage_summary(account, today)


def health_context(history: list[HealthScore]) -> dict[str, Any]:
    """The latest score's parts (labelled, costliest first) and its history as a chart."""
    if not history:
        return {}
    latest = history[-1]
    drags = {d.part: d for d in explain(latest)}
    parts = sorted(
        ((PARTS.get(name, name), part, drags.get(name)) for name, part in latest.parts.items()),
        key=lambda row: row[1]["score"],
    )
    chart = line_chart(
        [(f"{h.day:%-d %b}", float(h.score)) for h in history],
        title="Health score, day by day",
        y_max=100,
    )
    return {"health_parts": parts, "health_drags": list(drags.values()), "health_chart": chart}


def recompute_health(account: Account) -> None:
    compute_health(account)


def recompute_all_health() -> None:
    enqueue("insights.compute_health_scores")

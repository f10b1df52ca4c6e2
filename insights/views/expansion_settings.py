"""What a CS admin keeps for the CSQL rules: the seat-use threshold and quiet days, the
cross-sell offers by segment and the feature limits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import CrossSellOfferForm, ExpansionConfigForm, FeatureLimitForm
from ..models import CrossSellOffer, ExpansionConfig, FeatureLimit
from ..services import expansion

PAGE = "insights/expansion_settings.html"


def _page(request: AuthenticatedHttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "config_form": forms.get("config_form") or ExpansionConfigForm(instance=ExpansionConfig.current()),
        "offer_form": forms.get("offer_form") or CrossSellOfferForm(),
        "limit_form": forms.get("limit_form") or FeatureLimitForm(),
        "offers": CrossSellOffer.objects.all(),
        "limits": FeatureLimit.objects.select_related("account"),
    }  # fmt: skip
    return render(request, PAGE, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view(admin_only=True)
def expansion_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = ExpansionConfigForm(request.POST, instance=ExpansionConfig.current())
    if not form.is_valid():
        return _page(request, 422, config_form=form)
    expansion.change_expansion_settings(
        seat_use_percent=form.cleaned_data["seat_use_percent"],
        quiet_days=form.cleaned_data["quiet_days"],
        acting_user=request.user,
    )
    messages.success(request, gettext("Saved. Tonight's rules use these figures."))
    return redirect("expansion_settings")


@require_POST
@vendor_view(admin_only=True)
def cross_sell_offer_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CrossSellOfferForm(request.POST)
    if form.is_valid():
        try:
            offer = expansion.add_cross_sell_offer(**form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                gettext("“%(offer)s” is offered to %(segment)s accounts.")
                % {"offer": offer.name, "segment": offer.get_segment_display()},
            )
            return redirect("expansion_settings")
    return _page(request, 422, offer_form=form)


@require_POST
@vendor_view(admin_only=True)
def cross_sell_offer_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(CrossSellOffer, pk=pk)
    expansion.remove_cross_sell_offer(offer, acting_user=request.user)
    messages.success(request, gettext("“%(offer)s” is no longer offered.") % {"offer": offer.name})
    return redirect("expansion_settings")


@require_POST
@vendor_view(admin_only=True)
def feature_limit_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FeatureLimitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            limit = expansion.add_feature_limit(
                feature=data["feature"],
                account=data.get("account"),
                product=data.get("product") or "",
                users=data["users"],
                amount_guess=data.get("amount_guess"),
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                gettext("The limit on %(feature)s is saved.") % {"feature": limit.feature},
            )
            return redirect("expansion_settings")
    return _page(request, 422, limit_form=form)


@require_POST
@vendor_view(admin_only=True)
def feature_limit_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    limit = get_object_or_404(FeatureLimit, pk=pk)
    expansion.remove_feature_limit(limit, acting_user=request.user)
    messages.success(
        request, gettext("The limit on %(feature)s is removed.") % {"feature": limit.feature}
    )
    return redirect("expansion_settings")

"""Adoption campaigns: the CS team's list with each one's result, a new campaign, and one
campaign's page (who it reaches or reached, the result per account, the launch)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.formatting import number
from portal.htmx import refuse

from .. import services
from ..figures import (
    campaign_audience,
    campaign_result,
    known_features,
    results_by_account,
    results_by_campaign,
)
from ..forms import CampaignForm
from ..models import AdoptionCampaign
from .errors import add_errors

PER_PAGE = 25


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def campaigns(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.create_campaign(
                    name=data["name"],
                    feature=data["feature"],
                    idle_days=data["idle_days"],
                    headline=data["headline"],
                    message=data["message"],
                    link=data["link"],
                    account=data["account"],
                    segment=data["segment"],
                    translations=data["translations"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, gettext("Campaign saved: check who it reaches, then launch it.")
                )
                return redirect("adoption_campaign", campaign.pk)
        status = 422
    today = timezone.localdate()
    listed = AdoptionCampaign.objects.select_related("account")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    shown = [c.pk for c in page.object_list]
    results = results_by_campaign(AdoptionCampaign.objects.filter(pk__in=shown)) if shown else {}
    context = {
        "form": form,
        "page": page,
        "rows": [(c, results.get(c.pk), c.status(today)) for c in page.object_list],
        "known_features": known_features(),
    }
    return render(request, "adoption/campaigns.html", context, status=status)


@require_safe
@vendor_view()
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(AdoptionCampaign.objects.select_related("account"), pk=pk)
    today = timezone.localdate()
    launched = campaign.is_launched
    context = {
        "campaign": campaign,
        "status": campaign.status(today),
        "result": campaign_result(campaign) if launched else None,
        "by_account": results_by_account(campaign) if launched else [],
        "audience": None if launched else len(campaign_audience(campaign, today)),
        "today": today,
    }
    return render(request, "adoption/campaign.html", context)


@require_POST
@vendor_view()
def campaign_launch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(AdoptionCampaign, pk=pk)
    try:
        reached = services.launch_campaign(campaign, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, error.messages[0])
    messages.success(
        request,
        ngettext("Launched: {n} person told.", "Launched: {n} people told.", reached).format(
            n=number(reached)
        ),
    )
    return redirect("adoption_campaign", campaign.pk)

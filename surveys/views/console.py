"""The vendor's survey console: surveys, campaigns, and each campaign's page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.forms import add_service_errors

from ..forms import CampaignForm, SurveyForm
from ..models import Campaign, Survey
from ..results import rate_for, visible_deliveries, visible_responses
from ..scoring import summarize
from ..services import (
    create_campaign,
    end_campaign,
    may_manage,
    save_survey,
    send_now,
    set_survey_archived,
)


def get_campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("survey", "portfolio_owner"), pk=pk
    )


@vendor_view()
def home(request: HttpRequest) -> HttpResponse:
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("survey")
        .annotate(
            asked=Count("deliveries", distinct=True), answered=Count("responses", distinct=True)
        )
    )
    surveys = Survey.objects.annotate(campaign_count=Count("campaigns")).order_by(
        "archived_at", "name"
    )
    return render(request, "surveys/home.html", {"campaigns": campaigns, "surveys": surveys})


@vendor_view()
def survey_create(request: HttpRequest) -> HttpResponse:
    return survey_form(request, Survey())


@vendor_view()
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return survey_form(request, get_object_or_404(Survey, pk=pk))


def survey_form(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST":
        if form.is_valid():
            try:
                save_survey(form.instance, acting_user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{survey.name}” was saved.")
                return redirect("surveys")
        return render(
            request, "surveys/survey_form.html", {"form": form, "survey": survey}, status=422
        )
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@require_POST
@vendor_view()
def survey_archive(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    archived = survey.archived_at is None
    set_survey_archived(survey, archived, acting_user=request.user)
    messages.success(request, f"“{survey.name}” was {'archived' if archived else 'restored'}.")
    return redirect("surveys")


@vendor_view()
def campaign_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if (survey := request.GET.get("survey", "")).isdigit():
        initial["survey"] = int(survey)
    form = CampaignForm(request.POST or None, acting_user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            campaign = form.save(commit=False)
            try:
                create_campaign(
                    campaign, accounts=list(form.cleaned_data["accounts"]), acting_user=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{campaign.name}” was created.")
                return redirect(campaign)
        return render(request, "surveys/campaign_form.html", limits(form), status=422)
    return render(request, "surveys/campaign_form.html", limits(form))


def limits(form: CampaignForm) -> dict[str, Any]:
    return {
        "form": form,
        "cooldown": settings.SURVEY_PERSON_COOLDOWN_DAYS,
        "cap": settings.SURVEY_ACCOUNT_MAX_PER_PERIOD,
        "period": settings.SURVEY_ACCOUNT_PERIOD_DAYS,
    }


@vendor_view()
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    context = {
        "campaign": campaign,
        "survey": campaign.survey,
        "summary": summarize(visible_responses(request.user).filter(campaign=campaign)),
        "rate": rate_for(visible_deliveries(request.user).filter(campaign=campaign)),
        "manageable": may_manage(request.user, campaign),
        "is_open": campaign.is_open(),
        "chosen_accounts": campaign.accounts.only("name", "slug"),
    }
    return render(request, "surveys/campaign.html", context)


@require_POST
@vendor_view()
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    try:
        send_now(campaign, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(campaign)
    messages.success(request, "The campaign is on its way to everyone who may be asked now.")
    return redirect(campaign)


@require_POST
@vendor_view()
def campaign_end(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    end_campaign(campaign, acting_user=request.user)
    messages.success(request, "The campaign has ended: it sends nothing more and takes no answers.")
    return redirect(campaign)

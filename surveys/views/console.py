"""The vendor's survey console: surveys, campaigns, and each campaign's page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal import htmx
from portal.paging import page_of
from portal.params import positive_int

from ..figures import campaign_figures
from ..forms import CONDITIONAL_FIELDS, CampaignForm, SurveyForm
from ..models import Campaign, Survey
from ..services import (
    SurveyError,
    create_campaign,
    end_campaign,
    may_manage,
    save_survey,
    send_now,
    set_survey_archived,
)


def get_campaign(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("survey", "portfolio_owner"), pk=pk
    )


CAMPAIGNS_PER_PAGE = 50


@vendor_view()
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    page = page_of(request, campaigns.order_by("-created_at", "-pk"), CAMPAIGNS_PER_PAGE)
    return render(
        request, "surveys/home.html", {"campaigns": page, "page": page, "surveys": surveys}
    )


@vendor_view()
def survey_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return survey_form(request, Survey())


@vendor_view()
def survey_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return survey_form(request, get_object_or_404(Survey, pk=pk))


def survey_form(request: AuthenticatedHttpRequest, survey: Survey) -> HttpResponse:
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST":
        if form.is_valid():
            try:
                save_survey(form.instance, acting_user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(survey)s” was saved.") % {"survey": survey.name})
                return redirect("surveys")
        return render(
            request, "surveys/survey_form.html", {"form": form, "survey": survey}, status=422
        )
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@require_POST
@vendor_view()
def survey_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    archived = survey.archived_at is None
    set_survey_archived(survey, archived, acting_user=request.user)
    if archived:
        messages.success(request, _("“%(survey)s” was archived.") % {"survey": survey.name})
    else:
        messages.success(request, _("“%(survey)s” was restored.") % {"survey": survey.name})
    return redirect("surveys")


def chosen_survey(request: AuthenticatedHttpRequest) -> int | None:
    """``?survey=<id>`` from a survey's "Send" button: an active survey, else a 404."""
    if "survey" not in request.GET:
        return None
    pk = positive_int(request.GET["survey"])
    if pk is None or not Survey.objects.active().filter(pk=pk).exists():
        raise Http404(gettext("No such survey."))
    return pk


@vendor_view()
def campaign_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    survey = chosen_survey(request)
    initial = {"survey": survey} if survey else {}
    form = CampaignForm(request.POST or None, acting_user=request.user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = create_campaign(
                    form.instance,
                    accounts=list(form.cleaned_data["accounts"]),
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("“%(campaign)s” was created.") % {"campaign": campaign.name}
                )
                return redirect(campaign)
        return render(request, "surveys/campaign_form.html", form_context(form), status=422)
    return render(request, "surveys/campaign_form.html", form_context(form))


def form_context(form: CampaignForm) -> dict[str, Any]:
    return {
        "form": form,
        # field -> "choice:value value", for the fieldsets that show only with that choice.
        "show_when": {
            name: f"{choice}:{' '.join(values)}"
            for name, (choice, values) in CONDITIONAL_FIELDS.items()
        },
        "cooldown": settings.SURVEY_PERSON_COOLDOWN_DAYS,
        "cap": settings.SURVEY_ACCOUNT_MAX_PER_PERIOD,
        "period": settings.SURVEY_ACCOUNT_PERIOD_DAYS,
    }


def campaign_context(request: AuthenticatedHttpRequest, campaign: Campaign) -> dict[str, Any]:
    summary, rate = campaign_figures(request.user, campaign)
    manageable = may_manage(request.user, campaign)
    return {
        "campaign": campaign,
        "survey": campaign.survey,
        "summary": summary,
        "rate": rate,
        "kind": campaign.survey.kind,
        "is_open": campaign.is_open(),
        "can_send": manageable and campaign.offers_send_now(),
        "can_end": manageable and campaign.is_open(),
        "chosen_accounts": campaign.accounts.only("name", "slug"),
    }


@vendor_view()
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    return render(request, "surveys/campaign.html", campaign_context(request, campaign))


@require_POST
@vendor_view()
def campaign_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    try:
        send_now(campaign, acting_user=request.user)
    except SurveyError as error:
        return refused(request, campaign, error.message)
    messages.success(request, _("The campaign is on its way to everyone who may be asked now."))
    return redirect(campaign)


@require_POST
@vendor_view()
def campaign_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign(request, pk)
    end_campaign(campaign, acting_user=request.user)
    messages.success(
        request, _("The campaign has ended: it sends nothing more and takes no answers.")
    )
    return redirect(campaign)


def refused(request: AuthenticatedHttpRequest, campaign: Campaign, message: str) -> HttpResponse:
    """A refused action on a campaign: htmx gets the message in the page's notice region, a
    plain form post the campaign's page again with the message, both with a 422."""
    if htmx.is_htmx(request):
        return htmx.refuse(request, message)
    context = {**campaign_context(request, campaign), "refusal": message}
    return render(request, "surveys/campaign.html", context, status=422)

"""The survey prompt on the customer's account page, answered in place with htmx."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view

from ..forms import CommentForm, ScoreForm
from ..models import Channel, Delivery, Response
from ..services import SurveyError, add_comment, dismiss, record_response, snooze
from .common import get_delivery, problem

PROMPT = "surveys/panel_prompt.html"


def prompt_context(access: AccountAccess, delivery: Delivery, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "account": access.account,
        "delivery": delivery,
        "survey": delivery.campaign.survey,
        **extra,
    }


def back(
    request: HttpRequest, access: AccountAccess, template: str, context: dict[str, Any]
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, f"{PROMPT}#{template}", context)
    return redirect("account_home", access.account.slug)


@require_POST
@account_view("surveys.answer")
def answer(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    form = ScoreForm(request.POST, survey=delivery.campaign.survey)
    if not form.is_valid():
        context = prompt_context(access, delivery, score_form=form)
        return render(request, f"{PROMPT}#prompt", context, status=422)
    try:
        result = record_response(delivery, form.cleaned_data["score"], channel=Channel.PORTAL)
    except SurveyError as error:
        return problem(request, error)
    context = prompt_context(access, delivery, response=result.response, comment_form=CommentForm())
    return back(request, access, "prompt-comment", context)


@require_POST
@account_view("surveys.answer")
def comment(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    response = Response.objects.filter(delivery=delivery).first()
    if response is None:
        return redirect("account_home", access.account.slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = prompt_context(access, delivery, response=response, comment_form=form)
        return render(request, f"{PROMPT}#prompt-comment", context, status=422)
    try:
        add_comment(response, form.cleaned_data["comment"])
    except SurveyError as error:
        return problem(request, error)
    return back(request, access, "prompt-done", prompt_context(access, delivery, response=response))


@require_POST
@account_view("surveys.answer")
def dismiss_prompt(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    dismiss(delivery)
    return back(request, access, "prompt-gone", prompt_context(access, delivery, dismissed=True))


@require_POST
@account_view("surveys.answer")
def snooze_prompt(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    snooze(delivery)
    return back(request, access, "prompt-gone", prompt_context(access, delivery, snoozed=True))

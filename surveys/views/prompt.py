"""The survey prompt on the customer's account page, answered in place with htmx.

The prompt is a panel of the account page, so its states are named partials of
``surveys/panel_prompt.html``: htmx swaps the next one in; a plain form post goes back to the
account page, which shows the prompt's current state.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

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
    request: HttpRequest,
    access: AccountAccess,
    partial: str,
    context: dict[str, Any],
) -> HttpResponse:
    if is_htmx(request):
        return render_partial(request, PROMPT, partial, context)
    return redirect("account_home", access.account.slug)


def invalid(
    request: HttpRequest,
    access: AccountAccess,
    partial: str,
    context: dict[str, Any],
    form: forms.Form,
) -> HttpResponse:
    """An invalid answer: htmx gets the prompt again with the error; a plain post a page that
    says what was wrong. Both are a 422."""
    if is_htmx(request):
        return render_partial(request, PROMPT, partial, context, status=422)
    return refuse(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@require_POST
@account_view("surveys.answer")
def answer(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    form = ScoreForm(request.POST, survey=delivery.campaign.survey)
    if not form.is_valid():
        context = prompt_context(access, delivery, score_form=form)
        return invalid(request, access, "prompt", context, form)
    try:
        result = record_response(delivery, form.cleaned_data["score"], channel=Channel.PORTAL)
    except SurveyError as error:
        return problem(request, error)
    context = prompt_context(access, delivery, response=result.response, comment_form=CommentForm())
    return back(request, access, "prompt-comment", context)


@require_POST
@account_view("surveys.answer")
def comment(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    response = Response.objects.filter(delivery=delivery).first()
    if response is None:
        if is_htmx(request):
            return refuse(request, gettext("Choose a score first: the comment goes with it."))
        return redirect("account_home", access.account.slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = prompt_context(access, delivery, response=response, comment_form=form)
        return invalid(request, access, "prompt-comment", context, form)
    try:
        add_comment(response, form.cleaned_data["comment"])
    except SurveyError as error:
        return problem(request, error)
    return back(request, access, "prompt-done", prompt_context(access, delivery, response=response))


@require_POST
@account_view("surveys.answer")
def dismiss_prompt(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    dismiss(delivery)
    return back(request, access, "prompt-gone", prompt_context(access, delivery, dismissed=True))


@require_POST
@account_view("surveys.answer")
def snooze_prompt(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    snooze(delivery)
    return back(request, access, "prompt-gone", prompt_context(access, delivery, snoozed=True))

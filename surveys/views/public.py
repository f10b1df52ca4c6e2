"""The pages an e-mailed link opens, with no log-in: the signed token is the credential.

A GET never records anything (mail scanners fetch links): it shows the score from the link,
preselected, with one "Confirm" button. CSRF protection is off for these POSTs on purpose:
they use no session or cookie, and only someone holding the signed link can send them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..forms import CommentForm, ScoreForm
from ..models import Channel, Delivery, Response, SurveyOptOut
from ..services import (
    AlreadyAnswered,
    SurveyError,
    add_comment,
    check_open,
    opt_out,
    read_answer_token,
    read_unsubscribe_token,
    record_response,
)
from .common import problem


def answer_context(delivery: Delivery, token: str, **extra: Any) -> dict[str, Any]:
    survey = delivery.campaign.survey
    return {
        "delivery": delivery,
        "survey": survey,
        "account": delivery.account,
        "token": token,
        **extra,
    }


def render_for(
    request: HttpRequest,
    delivery: Delivery,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The page in the asked person's language (the link is theirs, whoever's browser opens
    it): theirs or their account's, else the browser's."""
    language = delivery.language(fallback=translation.get_language() or "")
    with translation.override(language):
        response = render(request, template, context, status=status)
    response.headers["Content-Language"] = language
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery, score = read_answer_token(token)
        check_open(delivery, timezone.now())
        survey = delivery.campaign.survey
        if request.method == "GET":
            earlier = Response.objects.filter(delivery=delivery).first()
            if earlier is not None and not earlier.editable():
                raise AlreadyAnswered(_("Your answer was recorded earlier. Thank you!"))
            form = ScoreForm(survey=survey, initial={"score": score})
            return render_for(
                request,
                delivery,
                "surveys/answer.html",
                answer_context(delivery, token, form=form, chosen=score),
            )
        form = ScoreForm(request.POST, survey=survey)
        if not form.is_valid():
            context = answer_context(delivery, token, form=form, chosen=score)
            return render_for(request, delivery, "surveys/answer.html", context, status=422)
        record_response(delivery, form.cleaned_data["score"], channel=Channel.EMAIL)
    except SurveyError as error:
        return problem(request, error)
    return redirect("survey_email_comment", token)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_comment(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery, _token_data = read_answer_token(token)
        response = Response.objects.filter(delivery=delivery).first()
        if response is None:
            return redirect("survey_email_answer", token)
        form = CommentForm(request.POST or None, initial={"comment": response.comment})
        context = answer_context(delivery, token, response=response, form=form)
        if request.method == "POST":
            if not form.is_valid():
                context["editable"] = True
                return render_for(request, delivery, "surveys/comment.html", context, status=422)
            add_comment(response, form.cleaned_data["comment"])
            return redirect(reverse("survey_email_comment", args=[token]) + "?saved=1")
        context["saved"] = request.GET.get("saved") == "1"
        context["editable"] = response.editable()
    except SurveyError as error:
        return problem(request, error)
    return render_for(request, delivery, "surveys/comment.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = read_unsubscribe_token(token)
    except SurveyError as error:
        return problem(request, error)
    if request.method == "POST":
        opt_out(user)
        return redirect("survey_unsubscribe", token)
    done = SurveyOptOut.objects.filter(user=user).exists()
    return render(
        request, "surveys/unsubscribe.html", {"token": token, "done": done, "person": user}
    )

"""The exit survey, answered in the portal by a leaving account's people: the main reason
they leave (from the list, or in their words) and a comment. Its e-mail links here."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import ExitAnswerForm
from ..models import Kind, Response
from ..services import SurveyError, record_exit_response
from .common import get_delivery, problem

PAGE = "surveys/exit.html"


@require_http_methods(["GET", "HEAD", "POST"])
@account_view("surveys.answer")
def exit_answer(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    delivery = get_delivery(request, access, pk)
    survey = delivery.campaign.survey
    if survey.kind != Kind.EXIT:
        return redirect("account_home", access.account.slug)
    answered = Response.objects.filter(delivery=delivery).first()
    form = ExitAnswerForm(request.POST if request.method == "POST" else None, survey=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record_exit_response(
                    delivery,
                    reason=form.chosen_reason,
                    comment=form.cleaned_data["comment"],
                )
            except SurveyError as error:
                return problem(request, error)
            messages.success(request, gettext("Thank you: your answer reached the team."))
            return redirect("survey_exit_answer", access.account.slug, delivery.pk)
        status = 422
    context = {
        "access": access,
        "account": access.account,
        "delivery": delivery,
        "survey": survey,
        "form": form,
        "answered": answered,
        "editable": answered is None or answered.editable(),
    }
    return render(request, PAGE, context, status=status)

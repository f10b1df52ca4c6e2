"""An ask as the person asked sees it (/a/<slug>/advocacy/asks/<id>/), where they say yes or
no. Anyone else's ask is a 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import AnswerForm
from ..models import AdvocacyAsk

PAGE = "advocacy/my_ask.html"


def _page(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    found: AdvocacyAsk,
    form: AnswerForm,
    status: int = 200,
) -> HttpResponse:
    context = {"access": access, "account": access.account, "ask": found, "form": form}
    return render(request, PAGE, context, status=status)


@account_view("advocacy.answer")
def my_ask(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = get_object_or_404(
        AdvocacyAsk.objects.filter(account=access.account).select_related("asked_by", "account"),
        pk=pk,
    )
    if not services.may_answer(access, request.user, found):
        raise Http404("No such ask.")
    if request.method != "POST":
        return _page(request, access, found, AnswerForm())
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, access, found, form, status=422)
    accept = form.cleaned_data["answer"] == "yes"
    try:
        services.answer_ask(
            found, accept=accept, note=form.cleaned_data["note"], acting_user=request.user
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, access, found, form, status=422)
    messages.success(
        request,
        gettext("Thank you! Your customer success manager will be in touch.")
        if accept
        else gettext("Thanks for letting us know. We won't ask again for a while."),
    )
    return redirect("advocacy_my_ask", access.account.slug, found.pk)

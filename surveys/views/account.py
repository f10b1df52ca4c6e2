"""Pausing surveys for one account (an escalation, a renewal negotiation)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import PauseForm
from ..services import pause_surveys, resume_surveys


@require_POST
@account_view("surveys.pause")
def pause(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = PauseForm(request.POST)
    if not form.is_valid():
        context = {"access": access, "account": access.account, "pause_form": form}
        return render(request, "surveys/pause.html", context, status=422)
    pause_surveys(
        access.account,
        reason=form.cleaned_data["reason"],
        until=form.cleaned_data["until"],
        acting_user=request.user,
    )
    messages.success(
        request, _("Surveys are paused for %(account)s.") % {"account": access.account.name}
    )
    return redirect("account_home", access.account.slug)


@require_POST
@account_view("surveys.pause")
def resume(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    resume_surveys(access.account, acting_user=request.user)
    messages.success(
        request, _("Surveys reach %(account)s again.") % {"account": access.account.name}
    )
    return redirect("account_home", access.account.slug)

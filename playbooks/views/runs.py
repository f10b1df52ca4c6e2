"""An account's playbook runs (vendor staff only): one run's steps, and pausing or resuming
every playbook for the account in place."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse

from ..forms import AccountPauseForm
from ..panels import runs_panel_context
from ..services.runs import PauseRefused, pause_account, resume_account, runs_of

PANEL = "playbooks/panel_runs.html#panel"
LIST_LENGTH = 50


@account_view("playbooks.view_runs")
def run_list(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(
        request,
        "playbooks/run_list.html",
        {
            "access": access,
            "account": access.account,
            "runs": runs_of(access.account)[:LIST_LENGTH],
        },
    )


@account_view("playbooks.view_runs")
def run_detail(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    run = get_object_or_404(runs_of(access.account), pk=pk)
    return render(
        request,
        "playbooks/run_detail.html",
        {"access": access, "account": access.account, "run": run},
    )


def _answer(request: AuthenticatedHttpRequest, access: AccountAccess, said: str) -> HttpResponse:
    if is_htmx(request):
        context = {"access": access, "account": access.account, "said": said}
        return render(request, PANEL, {**context, **runs_panel_context(access)})
    messages.success(request, said)
    return redirect("account_home", access.account.slug)


@require_POST
@account_view("playbooks.pause")
def pause(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = AccountPauseForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Keep the note to 300 characters."))
    pause_account(access.account, note=form.cleaned_data["note"], acting_user=request.user)
    return _answer(
        request,
        access,
        gettext("Playbooks are paused for %(account)s.") % {"account": access.account.name},
    )


@require_POST
@account_view("playbooks.pause")
def resume(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    try:
        due = resume_account(access.account, acting_user=request.user)
    except PauseRefused as refusal:
        return refuse(request, str(refusal))
    said = gettext("Playbooks run for %(account)s again.") % {"account": access.account.name}
    if due:
        said += f" {due} waiting step{'s' if due != 1 else ''} due now will run within minutes."
    return _answer(request, access, said)

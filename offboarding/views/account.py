"""An account's offboarding page: the vendor sees every step, the customer's champions and
executives their side's (the champions tick them); the CSM starts it by hand, asks the exit
survey again and marks the account offboarded once every step is done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from .. import figures, services
from ..forms import TickForm
from ..models import Offboarding, OffboardingStep

PAGE = "offboarding/page.html"


def _context(request: AuthenticatedHttpRequest, access: AccountAccess) -> dict[str, object]:
    account = access.account
    offboarding = figures.offboarding_of(account)
    vendor = access.is_vendor
    checklist = figures.checklist(offboarding, access) if offboarding else None
    return {
        "access": access,
        "account": account,
        "offboarding": offboarding,
        "checklist": checklist,
        # The steps this viewer may tick now (none in a preview).
        "tickable": {
            s.pk for s in (checklist.steps if checklist else []) if services.may_tick(access, s)
        }
        if not access.preview
        else set(),
        "exit_answers": figures.exit_answers(account) if vendor and offboarding else [],
        "exit_asked": figures.exit_asked(account) if vendor and offboarding else 0,
        "own_exit": (
            figures.own_exit_delivery(account, request.user)
            if offboarding and not vendor and not access.preview
            else None
        ),
    }


def _offboarding(access: AccountAccess) -> Offboarding:
    offboarding = Offboarding.objects.filter(account=access.account).first()
    if offboarding is None:
        raise Http404("No offboarding on this account.")
    return offboarding


@require_safe
@account_view("offboarding.view")
def offboarding_page(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, PAGE, _context(request, access))


@require_POST
@account_view("offboarding.manage")
def offboarding_start(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    services.start_offboarding(access.account, acting_user=request.user)
    messages.success(
        request, gettext("The offboarding has started: the champions are asked the exit survey.")
    )
    return redirect("offboarding", access.account.slug)


@require_POST
@account_view("offboarding.tick_step")
def offboarding_step_tick(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    step = get_object_or_404(
        OffboardingStep.objects.filter(offboarding__account=access.account).select_related(
            "offboarding"
        ),
        pk=pk,
    )
    if not services.may_see(access, step):
        raise Http404("No such step.")
    form = TickForm(request.POST)
    if not form.is_valid():  # pragma: no cover - a checkbox is always valid
        return refuse(request, gettext("Tick or untick the step."))
    try:
        services.tick_step(
            step, done=form.cleaned_data["done"], access=access, acting_user=request.user
        )
    except ValidationError as error:
        return refuse(request, error.messages[0], status=403)
    if not is_htmx(request):
        return redirect("offboarding", access.account.slug)
    return render_partial(request, PAGE, "checklist", _context(request, access))


@require_POST
@account_view("offboarding.manage")
def offboarding_exit_survey(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> HttpResponse:
    try:
        asked = services.send_exit_survey(_offboarding(access), acting_user=request.user)
    except ValidationError as error:
        return refuse(request, error.messages[0])
    messages.success(
        request,
        ngettext(
            "The exit survey went to {asked} more champion.",
            "The exit survey went to {asked} more champions.",
            asked,
        ).format(asked=asked),
    )
    return redirect("offboarding", access.account.slug)


@require_POST
@account_view("offboarding.manage")
def offboarding_complete(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    try:
        services.complete_offboarding(_offboarding(access), acting_user=request.user)
    except ValidationError as error:
        return refuse(request, error.messages[0])
    messages.success(
        request, f"{access.account.name} is offboarded: its history stays, its e-mails stop."
    )
    return redirect("offboarding", access.account.slug)

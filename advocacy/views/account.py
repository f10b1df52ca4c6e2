"""The CS team's advocacy page for one account (/a/<slug>/advocacy/): its promoters and
whether each may be asked now, the asks and answers, the references and their calls against
the quarter's cap, the account's referrals and case studies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import figures, services
from ..forms import AskForm, ReferenceCallForm, ReferralStatusForm
from ..models import (
    ASK_KIND_IN_SENTENCE,
    REFERRAL_STATUS_IN_SENTENCE,
    AdvocacyAsk,
    AskKind,
    ReferenceCall,
    Referral,
    ReferralStatus,
)

PAGE = "advocacy/account.html"


def _page(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    *,
    ask_form: AskForm | None = None,
    call_form: ReferenceCallForm | None = None,
    status: int = 200,
) -> HttpResponse:
    account, today = access.account, timezone.localdate()
    context: dict[str, Any] = {
        "access": access,
        "account": account,
        "promoters": figures.promoters(account),
        "asks": figures.account_asks(account)[:50],
        "references": figures.references(account, today),
        "calls": ReferenceCall.objects.filter(account=account).select_related("advocate")[:30],
        "referrals": figures.account_referrals(account)[:30],
        "case_studies": account.case_studies.all(),
        "rules": figures.rules(),
        "statuses": ReferralStatus.choices,
        "quarter": figures.quarter_of(today),
        "ask_form": ask_form or AskForm(account),
        "call_form": call_form or ReferenceCallForm(account, initial={"date": today}),
    }
    return render(request, PAGE, context, status=status)


@require_safe
@account_view("advocacy.ask")
def account_advocacy(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return _page(request, access)


@require_POST
@account_view("advocacy.ask")
def ask(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = AskForm(access.account, request.POST)
    if not form.is_valid():
        return _page(request, access, ask_form=form, status=422)
    data = form.cleaned_data
    try:
        made = services.ask_for_advocacy(
            access.account,
            data["person"],
            data["kind"],
            channel=data["channel"],
            note=data["note"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, access, ask_form=form, status=422)
    messages.success(
        request,
        gettext("Asked {person}: {ask}.").format(
            person=made.person.display_name, ask=ASK_KIND_IN_SENTENCE[AskKind(made.kind)]
        ),
    )
    return redirect("advocacy_account", access.account.slug)


@require_POST
@account_view("advocacy.ask")
def ask_done(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = get_object_or_404(AdvocacyAsk.objects.filter(account=access.account), pk=pk)
    try:
        services.complete_ask(found, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    messages.success(request, gettext("Marked done."))
    return redirect("advocacy_account", access.account.slug)


@require_POST
@account_view("advocacy.board")
def book_call(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ReferenceCallForm(access.account, request.POST)
    if not form.is_valid():
        return _page(request, access, call_form=form, status=422)
    data = form.cleaned_data
    try:
        call = services.book_reference_call(
            access.account,
            data["advocate"],
            prospect=data["prospect"],
            day=data["date"],
            note=data["note"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, access, call_form=form, status=422)
    messages.success(
        request,
        gettext("Booked {person} with {prospect}.").format(
            person=call.advocate.display_name, prospect=call.prospect
        ),
    )
    return redirect("advocacy_account", access.account.slug)


@require_POST
@account_view("advocacy.board")
def call_done(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = get_object_or_404(ReferenceCall.objects.filter(account=access.account), pk=pk)
    services.mark_call_done(found, acting_user=request.user)
    messages.success(
        request, gettext("The call with {prospect} is done.").format(prospect=found.prospect)
    )
    return redirect("advocacy_account", access.account.slug)


@require_POST
@account_view("advocacy.board")
def referral(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = get_object_or_404(Referral.objects.filter(account=access.account), pk=pk)
    form = ReferralStatusForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Choose one of the statuses."))
    services.update_referral(
        found,
        status=form.cleaned_data["status"],
        outcome=form.cleaned_data["outcome"],
        acting_user=request.user,
    )
    messages.success(
        request,
        gettext("{company}: {status}.").format(
            company=found.company,
            status=REFERRAL_STATUS_IN_SENTENCE[ReferralStatus(found.status)],
        ),
    )
    target = request.POST.get("next") or ""
    if target == "board":
        return redirect("advocacy_board")
    return redirect("advocacy_account", access.account.slug)

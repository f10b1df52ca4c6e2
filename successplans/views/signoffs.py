"""Sign-offs: the vendor asks the customer to approve a milestone; a champion or executive
approves or rejects it, from the plan page or from the executive's home."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from ..forms import SignOffRejectForm, SignOffRequestForm
from ..models import SignOff, SignOffStatus
from ..services import (
    approve_signoff,
    may_decide,
    may_request_signoff,
    reject_signoff,
    request_signoff,
    signoff_approvers,
)
from .common import deny, get_item, get_plan
from .plan import render_item

SIGNOFF = "successplans/signoff.html"


@require_POST
@account_view("plans.request_signoff")
def signoff_request(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, item_pk: int
) -> HttpResponse:
    plan = get_plan(access, pk)
    milestone = get_item(access, plan, "milestone", item_pk)
    if not may_request_signoff(access, milestone):  # type: ignore[arg-type]
        return deny(
            request, _("An internal milestone is not shown to the customer: share it first.")
        )
    form = SignOffRequestForm(request.POST, approvers=signoff_approvers(access.account))
    if not form.is_valid():
        return refuse(request, _("Choose a champion or an executive of the account."))
    try:
        request_signoff(
            milestone,  # type: ignore[arg-type]
            approver=form.cleaned_data["approver"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except ValidationError as error:
        return refuse(request, error.messages[0])
    if not is_htmx(request):
        messages.success(
            request,
            _("“%(milestone)s” was sent to the customer for sign-off.") % {"milestone": milestone},
        )
    return render_item(request, access, plan, "milestone", milestone)


def get_signoff(access: AccountAccess, pk: int) -> SignOff:
    """A sign-off of this account, of a milestone the customer sees; 404 otherwise (another
    account's looks the same as none)."""
    signoffs = SignOff.objects.filter(account=access.account, milestone__internal=False)
    signoff = get_object_or_404(signoffs.select_related("milestone__plan"), pk=pk)
    signoff.milestone.plan.account = access.account
    return signoff


@require_POST
@account_view("plans.sign_off")
def signoff_decide(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, decision: str
) -> HttpResponse:
    """Approve or reject (``decision``). The plan page gets the milestone back; the executive's
    home the decided sign-off in place."""
    signoff = get_signoff(access, pk)
    if not may_decide(access, signoff, request.user):
        if not signoff.pending:
            return refuse(request, _("This sign-off was already decided."), status=409)
        return deny(request, _("This sign-off asks another person of your team."))
    form = SignOffRejectForm(request.POST)
    form.is_valid()  # one optional text field: always valid
    try:
        if decision == SignOffStatus.APPROVED:
            decided = approve_signoff(signoff, acting_user=request.user)
        else:
            decided = reject_signoff(
                signoff, reason=form.cleaned_data["reason"], acting_user=request.user
            )
    except ValidationError as error:
        return refuse(request, error.messages[0])
    plan = signoff.milestone.plan
    if request.POST.get("shown_on") == "plan":
        return render_item(request, access, plan, "milestone", decided.milestone)
    if not is_htmx(request):
        done = (
            _("You approved “%(milestone)s”.")
            if decided.status == SignOffStatus.APPROVED
            else _("You rejected “%(milestone)s”.")
        )
        messages.success(request, done % {"milestone": decided.milestone})
        return redirect("account_home", access.account.slug)
    context = {"access": access, "account": access.account, "signoff": decided}
    return render_partial(request, SIGNOFF, "signoff-decided", context)

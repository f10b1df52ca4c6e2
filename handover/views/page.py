"""The handover page: what sales handed over, its review, and its objectives offered to the
success plan."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal import htmx

from .. import services
from ..figures import handover_of, objective_offer

PAGE = "handover/handover.html"


@require_safe
@account_view("handover.view")
def handover(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    found = handover_of(access.account)
    offer = objective_offer(found, timezone.localdate()) if found else None
    context = {
        "access": access,
        "account": access.account,
        "handover": found,
        "offer": offer,
        "today": timezone.localdate(),
    }
    return render(request, PAGE, context)


@require_POST
@account_view("handover.edit")
def handover_review(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    found = handover_of(access.account)
    if found is None:
        return htmx.refuse(request, _("There is no handover to review yet."), status=409)
    if services.mark_reviewed(found, acting_user=request.user):
        messages.success(request, _("Handover marked as reviewed."))
    return redirect("handover", access.account.slug)


@require_POST
@account_view("handover.edit")
def handover_take_objectives(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> HttpResponse:
    found = handover_of(access.account)
    offer = objective_offer(found, timezone.localdate()) if found else None
    if found is None or offer is None:
        return htmx.refuse(request, _("There is no handover yet."), status=409)
    if offer.plan is None:
        return htmx.refuse(request, _("Start the account's success plan first."), status=409)
    try:
        added = services.take_objectives(found, offer.plan, acting_user=request.user)
    except services.NothingToTake as refusal:
        return htmx.refuse(request, refusal.message, status=409)
    messages.success(
        request,
        ngettext(
            "Added %(count)s objective from the handover to “%(plan)s”.",
            "Added %(count)s objectives from the handover to “%(plan)s”.",
            len(added),
        )
        % {"count": len(added), "plan": offer.plan.name},
    )
    back = request.POST.get("next", "")
    url = reverse("handover", args=[access.account.slug])
    if back == "plan":
        url = reverse("plan", args=[access.account.slug, offer.plan.pk])
    return redirect(url)

"""Closing the loop: the CSM's follow-ups, oldest first, and one follow-up's page."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from ..forms import FollowUpForm
from ..models import FollowUp
from ..services import may_see_every_account, update_follow_up
from .common import page_of

PER_PAGE = 50
SHOWS = ("open", "resolved")


def visible_follow_ups(request: AuthenticatedHttpRequest) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        account__in=Account.objects.visible_to(request.user)
    ).select_related("account", "csm", "response__user", "response__campaign__survey")


@vendor_view()
def follow_ups(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    if show not in SHOWS:
        raise Http404(gettext("No such list."))
    items = visible_follow_ups(request)
    if show == "resolved":
        items = items.filter(status=FollowUp.Status.RESOLVED).order_by("-resolved_at", "-pk")
    else:
        items = items.exclude(status=FollowUp.Status.RESOLVED).order_by("created_at", "pk")
    context = {
        "page": page_of(request, items, PER_PAGE),
        "show": show,
        "every_account": may_see_every_account(request.user),
    }
    return render(request, "surveys/follow_ups.html", context)


@vendor_view()
def follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(visible_follow_ups(request), pk=pk)
    form = FollowUpForm(request.POST or None, instance=FollowUp.objects.get(pk=item.pk))
    if request.method == "POST":
        if form.is_valid():
            update_follow_up(
                item,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
                customer_note=form.cleaned_data["customer_note"],
                acting_user=request.user,
            )
            messages.success(request, _("The follow-up was saved."))
            return redirect("survey_follow_ups")
        return render(request, "surveys/follow_up.html", {"item": item, "form": form}, status=422)
    return render(request, "surveys/follow_up.html", {"item": item, "form": form})

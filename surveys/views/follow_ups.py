"""Closing the loop: the CSM's follow-ups, oldest first, and one follow-up's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import vendor_view
from accounts.models import Account

from ..forms import FollowUpForm
from ..models import FollowUp
from ..services import update_follow_up

PER_PAGE = 50


def visible_follow_ups(request: HttpRequest) -> object:
    return FollowUp.objects.filter(
        account__in=Account.objects.visible_to(request.user)
    ).select_related("account", "csm", "response__user", "response__campaign__survey")


@vendor_view()
def follow_ups(request: HttpRequest) -> HttpResponse:
    show = "resolved" if request.GET.get("show") == "resolved" else "open"
    follow_ups = visible_follow_ups(request)
    if show == "resolved":
        follow_ups = follow_ups.filter(status=FollowUp.Status.RESOLVED).order_by(
            "-resolved_at", "-pk"
        )  # type: ignore[attr-defined]
    else:
        follow_ups = follow_ups.exclude(status=FollowUp.Status.RESOLVED).order_by(
            "created_at", "pk"
        )  # type: ignore[attr-defined]
    page = Paginator(follow_ups, PER_PAGE).get_page(request.GET.get("page", 1))
    return render(request, "surveys/follow_ups.html", {"page": page, "show": show})


@vendor_view()
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(visible_follow_ups(request), pk=pk)  # type: ignore[arg-type]
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
            messages.success(request, "The follow-up was saved.")
            return redirect("survey_follow_ups")
        return render(request, "surveys/follow_up.html", {"item": item, "form": form}, status=422)
    return render(request, "surveys/follow_up.html", {"item": item, "form": form})

"""A person's calendar address, under their settings: make one, copy it, turn it off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest

from ..services import calendar

# The new address is shown once, on the page the POST redirects to, then forgotten.
NEW_TOKEN_KEY = "integrations.new_calendar_token"  # noqa: S105 - a session key


@never_cache
@login_required
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = request.session.pop(NEW_TOKEN_KEY, None)
    context = {
        "feed": calendar.feed_of(request.user),
        "new_url": calendar.feed_url(token) if token else "",
    }
    return render(request, "integrations/calendar_feed.html", context)


@require_POST
@login_required
def calendar_feed_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = calendar.create_feed(request.user, acting_user=request.user)
    request.session[NEW_TOKEN_KEY] = token
    messages.success(
        request, _("Your new calendar address is below. Any address you had before has stopped.")
    )
    return redirect("calendar_feed")


@require_POST
@login_required
def calendar_feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    if calendar.revoke_feed(request.user, acting_user=request.user):
        messages.success(request, _("Your calendar address is off: calendars get nothing from it."))
    return redirect("calendar_feed")

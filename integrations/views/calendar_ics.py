"""The calendar feed itself: no log-in, the address is the credential."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ..models import CalendarFeed
from ..services import calendar


@require_GET
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The person's feed; 404 for an address that is unknown, replaced or turned off, or
    whose person was deactivated."""
    feed = CalendarFeed.for_token(token)
    if feed is None:
        raise Http404(gettext("No such calendar."))
    calendar.mark_fetched(feed)
    response = HttpResponse(
        calendar.render_feed(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="portal.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response

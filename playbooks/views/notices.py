"""The notices at the top of Today: mark one read, or all of them, in place."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx

from ..models import Notice
from ..notices import unread_notices
from ..services.notices import mark_all_read, mark_notice_read

PARTIAL = "playbooks/_notices.html"


def _notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx gets the notices again (and the count in the navigation); a form post, Today."""
    if not is_htmx(request):
        return redirect("today")
    context = {"notices": unread_notices(request.user), "oob": True}
    return render(request, PARTIAL, context)


@require_POST
@vendor_view()
def notice_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Someone else's notice does not exist for this person.
    notice = get_object_or_404(Notice.objects.filter(user=request.user), pk=pk)
    mark_notice_read(notice, acting_user=request.user)
    return _notices(request)


@require_POST
@vendor_view()
def notices_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    mark_all_read(acting_user=request.user)
    return _notices(request)

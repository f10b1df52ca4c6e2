"""The inbox: everything a person was told of, the bell's count, mark read; and the one-click
unsubscribe link of every notification e-mail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.htmx import is_htmx, render_partial

from ..http import AuthenticatedHttpRequest
from ..inbox import KIND_NAMES, PER_PAGE, inbox_items, unread_count
from ..models import Delivery, Notification, NotificationKind
from ..services import (
    mark_all_read,
    mark_read,
    notification_preferences,
    read_unsubscribe_token,
    unsubscribe,
)

TEMPLATE = "accounts/inbox.html"


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    return kind if kind in NotificationKind.values else ""


def _page_context(request: AuthenticatedHttpRequest) -> dict[str, object]:
    kind = _kind(request)
    page = Paginator(inbox_items(request.user, kind), PER_PAGE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "items": page.object_list,
        "kind": kind,
        "kinds": NotificationKind.choices,
        "kind_names": KIND_NAMES,
        "unread": unread_count(request.user),
    }


@never_cache
@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_partial(request, TEMPLATE, "items", _page_context(request))


@never_cache
@require_GET
def inbox_bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for the header's periodic refresh. Once the session has ended it
    answers 204 (htmx leaves the bell as it is) rather than a log-in page to swap in."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "accounts/_bell.html", {"inbox_unread": unread_count(request.user)})


def _after_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx gets the list again, with the bell's new count out of band, and an "inbox-read"
    event other pages listen for (Today refreshes its account updates); a form post, the
    inbox, or the portal page it came from (``next``)."""
    if not is_htmx(request):
        back = request.POST.get("next", "")
        if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
            return redirect(back)
        query = f"?kind={_kind(request)}" if _kind(request) else ""
        return redirect(reverse("inbox") + query)
    context = {**_page_context(request), "oob": True}
    response = render(request, f"{TEMPLATE}#items", context)
    response["HX-Trigger"] = "inbox-read"
    return response


@require_POST
@login_required
def inbox_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Someone else's item does not exist for this person.
    item = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    mark_read(item, acting_user=request.user)
    return _after_read(request)


@require_POST
@login_required
def inbox_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    mark_all_read(acting_user=request.user, kind=_kind(request))
    return _after_read(request)


@login_required
@require_GET
def inbox_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow an item's link, marking it read on the way."""
    item = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    mark_read(item, acting_user=request.user)
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url)
    return redirect("inbox")


@csrf_exempt  # no session or cookie: the signed link is the credential (RFC 8058 one-click)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """A mail client's "unsubscribe" POSTs here and gets a 200; a person who follows the link
    gets a page with a button (a GET changes nothing: mail scanners fetch links)."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404("This link was changed or cut short.")
    person, kinds = found
    if request.method == "POST":
        unsubscribe(person, kinds)
    chosen = notification_preferences(person)
    context = {
        "token": token,
        "person": person,
        "kinds": [NotificationKind(kind).label for kind in kinds],
        "done": all(chosen[kind] == Delivery.OFF for kind in kinds),
    }
    return render(request, "accounts/unsubscribe.html", context)

"""One update, as its account's people read it: opening it marks it read; "useful"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import render_partial

from ..figures import feed
from ..models import Update
from ..services import mark_update_read, toggle_useful

TEMPLATE = "updates/update.html"


def get_update_for_viewer(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> Update:
    """The update if it reached this account and is meant for the viewer's role; else 404."""
    return get_object_or_404(feed(access, request.user), pk=pk)


@account_view("updates.view")
def update_detail(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    update = get_update_for_viewer(request, access, pk)
    if access.can("updates.react") and not getattr(update, "is_read", False):
        mark_update_read(update, account=access.account, acting_user=request.user)
    return render_partial(
        request,
        TEMPLATE,
        "reaction",
        {"access": access, "update": update},
    )


@require_POST
@account_view("updates.react")
def update_useful(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    update = get_update_for_viewer(request, access, pk)
    toggle_useful(update, account=access.account, acting_user=request.user)
    if not request.htmx:
        return redirect("update", access.account.slug, update.pk)
    update = get_update_for_viewer(request, access, pk)  # its new count and state
    return render_partial(request, TEMPLATE, "reaction", {"access": access, "update": update})

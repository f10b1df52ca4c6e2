"""An account's feed of product updates, and "mark all read"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from updates.models import Update

from ..figures import FEED_PAGE, feed, reader_role, unread_count
from ..services import mark_all_updates_read


@account_view("updates.view")
def updates_feed(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    page = Paginator(feed(access, request.user), FEED_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "updates/feed.html",
        {
            "access": access,
            "page": page,
            "updates": page.object_list,
            "unread": unread_count(access, request.user),
        },
    )


@require_POST
@account_view("updates.react")
def updates_read_all(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    mark_all_updates_read(
        Update.objects.for_account(access.account, reader_role(access)),
        account=access.account,
        acting_user=request.user,
    )
    return redirect("updates", access.account.slug)

"""An account's feed of product updates, and "mark all read"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.layout import updates_unread
from updates.models import Update

from ..figures import feed_page, reader_role, unread_count
from ..services import mark_all_updates_read


@account_view("updates.view")
def updates_feed(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    page = feed_page(access, request.user, request.GET.get("page"))
    counted = updates_unread(request, access) if access.is_customer else 0
    return render(
        request,
        "updates/feed.html",
        {
            "access": access,
            "page": page,
            "updates": page.object_list,
            # The navigation's badge, from the layout's one query when it counts this account.
            "unread": unread_count(access, request.user) if counted is None else counted,
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

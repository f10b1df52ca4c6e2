"""The vendor's list of product updates, with each one's reach in counts."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import console_updates

PER_PAGE = 25


@vendor_view()
def updates_console(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(console_updates(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "updates/console.html", {"page": page, "updates": page.object_list})

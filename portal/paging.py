"""Long lists a page at a time: ``?page=`` read the same way everywhere (junk is a 404, a page
past the end is the last one), shown with ``portal/pagination.html``."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from .params import positive_int


def page_of(
    request: HttpRequest,
    items: Any,
    per_page: int,
    *,
    param: str = "page",
    last_first: bool = False,
    count: int | None = None,
) -> Page[Any]:
    """The page of ``items`` that ``?page=`` (or ``param``) names: the first without one (the
    last with ``last_first``: a discussion opens on its newest comments), the last past the
    end; a 404 for anything but a whole number of at least 1. A caller that has counted the
    items already (in a query it runs anyway) passes ``count``: no COUNT query of their own."""
    raw = request.GET.get(param)
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # the cached property, filled
    if raw is None:
        return paginator.page(paginator.num_pages) if last_first else paginator.get_page(1)
    number = positive_int(raw)
    if number is None:
        raise Http404("No such page.")
    return paginator.get_page(number)

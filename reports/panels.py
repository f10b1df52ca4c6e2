"""The reports panel on the account page: the newest review or Wrapped, one click away."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel

from .services import archive


@register_panel(
    order=70, title=cast(str, _("Reviews and Wrapped")), capability="reports.view", height="8rem"
)
def reports_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("reports.view"):
        return None
    documents = archive(access.account, customer=access.is_customer, changes=False)
    return Panel("reports/panel.html", {"documents": documents[:3]})


@register_panel(
    order=40,
    name="review-preview",
    title=cast(str, _("Business reviews")),
    capability="reports.view",
    height="10rem",
    pages=("executive-home",),
)
def review_preview_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The latest review read in the page (its summary and what it recommends), its PDF, and
    when the next one falls due."""
    from .figures import next_review_due

    if not access.can("reports.view"):
        return None
    documents = archive(access.account, customer=access.is_customer, changes=False)
    latest = next((doc for doc in documents if doc.review is not None), None)
    review = latest.review if latest else None
    return Panel(
        "reports/panel_review_preview.html",
        {"doc": latest, "next_due": next_review_due(review) if review else None},
    )

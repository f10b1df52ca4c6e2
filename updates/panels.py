"""The account page's panel: a customer's latest product updates, the unread ones marked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import feed

PANEL_SIZE = 3


@register_panel(
    order=45,
    title=gettext_lazy("Product updates"),
    capability="updates.view",
    height="9rem",
)
def latest_updates_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """One query; nothing shown when the account has no update yet."""
    if not access.can("updates.view"):
        return None
    updates = list(feed(access, request.user)[:PANEL_SIZE])
    if not updates:
        return None
    return Panel("updates/panel_latest.html", {"updates": updates})

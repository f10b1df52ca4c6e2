"""The documents panel on the account page: the latest files the viewer may see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import recent_shared


@register_panel(
    order=65,
    title=gettext_lazy("Documents"),
    capability="documents.view",
    height="9rem",
)
def documents_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    documents = recent_shared(access)
    if not documents:
        return None
    return Panel("documents/panel.html", {"documents": documents})

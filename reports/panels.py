"""The reports panel on the account page: the newest review or Wrapped, one click away."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel

from .services import archive


@register_panel(order=70, title="Reviews and Wrapped", capability="reports.view", height="8rem")
def reports_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("reports.view"):
        return None
    documents = archive(access.account, customer=access.is_customer, changes=False)
    return Panel("reports/panel.html", {"documents": documents[:3]})

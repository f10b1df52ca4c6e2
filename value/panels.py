"""The "Value realized" panel: the money figure, the ROI multiple and the top KPIs, on the
account page, the vendor's 360° page and the executive's home."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import account_value

TOP = 3


@register_panel(
    order=25,
    name="value",
    title=gettext_lazy("Value realized"),
    capability="value.view",
    height="11rem",
    pages=("account", "executive-home", "360"),
)
def value_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """Nothing shown to customers until a KPI is shared; the vendor sees how to start."""
    figures = account_value(access.account)
    if not figures.kpis and not access.is_vendor:
        return None
    return Panel("value/panel.html", {"figures": figures, "top": figures.top(TOP)})

"""The handover card on the vendor's 360° page: what sales handed over, at a glance, and its
objectives offered to the success plan."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import handover_of, objective_offer

SHOWN = 3


@register_panel(
    order=5,
    title=gettext_lazy("Sales handover"),
    capability="handover.view",
    height="11rem",
    pages=("360",),
)
def handover_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """Shown empty too, so the CSM sees where to start."""
    if not access.can("handover.view"):
        return None
    found = handover_of(access.account)
    offer = objective_offer(found, timezone.localdate()) if found else None
    context = {"handover": found, "offer": offer, "shown": SHOWN}
    return Panel("handover/panel.html", context)

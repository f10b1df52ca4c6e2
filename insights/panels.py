"""Usage and health on the account page (the customer's dashboard)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel

from .dashboard import usage_summary


@register_panel(order=5)
def usage_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    summary = usage_summary(access.account, timezone.localdate())
    if summary["usage"] is None:
        return Panel("insights/panel_usage.html", summary) if access.is_vendor else None
    return Panel("insights/panel_usage.html", summary)


@register_panel(order=6)
def health_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The health band: always for vendor staff, for the customer only when the CSM allows it."""
    from .models import AccountFacts, HealthScore

    facts = AccountFacts.objects.filter(account=access.account).first()
    if not access.is_vendor and not (facts and facts.customers_see_health):
        return None
    latest = HealthScore.objects.filter(account=access.account).order_by("-day").first()
    if latest is None:
        return None
    return Panel("insights/panel_health.html", {"health": latest})

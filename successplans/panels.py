"""The success plan panel on the account page."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel


@register_panel(order=20, title="Success plan", capability="plans.view", height="14rem")
def plan_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The newest success plan's health and what comes next."""
    from .figures import plan_view
    from .models import SuccessPlan

    if not access.can("plans.view"):
        return None
    plan = SuccessPlan.objects.filter(account=access.account).order_by("-starts_on").first()
    if plan is None:
        return Panel("successplans/panel_plan.html", {"plan": None}) if access.is_vendor else None
    plan.account = access.account
    return Panel(
        "successplans/panel_plan.html",
        {"plan": plan, "view": plan_view(plan, customer=access.is_customer, comments=0)},
    )

"""The onboarding panel on the account page."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel

from .models import Checklist
from .onboarding import checklist_view


@register_panel(order=10)
def onboarding_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("onboarding.view"):
        return None
    checklist = Checklist.objects.filter(account=access.account).first()
    if checklist is None:
        return (
            Panel("successplans/panel_onboarding.html", {"checklist": None})
            if access.is_vendor
            else None
        )
    checklist.account = access.account
    view = checklist_view(checklist, viewer_id=request.user.pk, customer=access.is_customer)
    upcoming = sorted(
        (t for t in view.tasks if not t.is_done and t.due_date), key=lambda t: t.due_date
    )[:3]
    return Panel(
        "successplans/panel_onboarding.html",
        {"checklist": checklist, "view": view, "upcoming": upcoming},
    )


@register_panel(order=20)
def plan_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The newest success plan's health and what comes next."""
    from .models import SuccessPlan
    from .plans import plan_view

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

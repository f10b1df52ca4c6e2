"""The onboarding panel on the account page."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.access import AccountAccess
from accounts.panels import Panel, register_panel

from .figures import checklist_view
from .models import Checklist


@register_panel(order=10)
def onboarding_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("onboarding.view"):
        return None
    checklist = Checklist.objects.filter(account=access.account).first()
    if checklist is None:
        return (
            Panel("onboarding/panel_onboarding.html", {"checklist": None})
            if access.is_vendor
            else None
        )
    checklist.account = access.account
    view = checklist_view(checklist, viewer_id=request.user.pk, customer=access.is_customer)
    upcoming = sorted(
        (t for t in view.tasks if not t.is_done and t.due_date), key=lambda t: t.due_date
    )[:3]
    return Panel(
        "onboarding/panel_onboarding.html",
        {"checklist": checklist, "view": view, "upcoming": upcoming},
    )

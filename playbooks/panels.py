"""The CSM's open tasks on the account page: vendor staff only, never the customer."""

from __future__ import annotations

from django.utils import timezone

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import open_tasks_of


@register_panel(order=8)
def tasks_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("tasks.view"):
        return None
    today = timezone.localdate()
    return Panel(
        "playbooks/panel_tasks.html",
        {"tasks": open_tasks_of(access.account, today), "today": today},
    )

"""The CSM's open tasks on the account page (vendor staff only, never the customer) and in
the portfolio's "Open tasks" column (a vendor-only page)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account
from accounts.panels import Panel, register_panel
from accounts.portfolio_columns import register_column

from .figures import open_tasks_of, with_open_tasks


@register_panel(order=8)
def tasks_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("tasks.view"):
        return None
    today = timezone.localdate()
    return Panel(
        "playbooks/panel_tasks.html",
        {"tasks": open_tasks_of(access.account, today), "today": today},
    )


def _with_open_tasks_today(accounts: QuerySet[Account]) -> QuerySet[Account]:
    return with_open_tasks(accounts, timezone.localdate())


register_column(
    "open_tasks",
    "Open tasks",
    _with_open_tasks_today,
    "open_tasks",
    "playbooks/cells/open_tasks.html",
    80,
    numeric=True,
)

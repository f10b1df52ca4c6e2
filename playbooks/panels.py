"""The CSM's open tasks on the account page (vendor staff only, never the customer) and in
the portfolio's "Open tasks" column (a vendor-only page)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account
from accounts.panels import Panel, register_panel
from accounts.portfolio_columns import register_column

from .figures import open_tasks_of, with_open_tasks
from .forms import AccountPauseForm
from .models import AccountPause
from .services.runs import runs_of


@register_panel(order=8, title=cast(str, _("CSM tasks")), capability="tasks.view", height="12rem")
def tasks_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("tasks.view"):
        return None
    today = timezone.localdate()
    return Panel(
        "playbooks/panel_tasks.html",
        {"tasks": open_tasks_of(access.account, today), "today": today},
    )


RECENT_RUNS = 5


def runs_panel_context(access: AccountAccess) -> dict[str, Any]:
    """The account's latest runs with their steps, whether playbooks are paused, and the
    pause form for those who may pause. Four queries however many runs and steps."""
    account = access.account
    runs = list(runs_of(account)[: RECENT_RUNS + 1])
    return {
        "runs": runs[:RECENT_RUNS],
        "more_runs": len(runs) > RECENT_RUNS,
        "pause": AccountPause.objects.filter(account=account).select_related("paused_by").first(),
        "pause_form": AccountPauseForm(auto_id="pb-pause-%s")
        if access.can("playbooks.pause")
        else None,
    }


@register_panel(
    order=9, title=cast(str, _("Playbook runs")), capability="playbooks.view_runs", height="10rem"
)
def runs_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("playbooks.view_runs"):
        return None
    return Panel("playbooks/panel_runs.html", runs_panel_context(access))


def _with_open_tasks_today(accounts: QuerySet[Account]) -> QuerySet[Account]:
    return with_open_tasks(accounts, timezone.localdate())


register_column(
    "open_tasks",
    cast(str, _("Open tasks")),
    _with_open_tasks_today,
    "open_tasks",
    "playbooks/cells/open_tasks.html",
    80,
    numeric=True,
)

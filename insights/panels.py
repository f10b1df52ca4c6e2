"""Usage and health on the account page (the customer's dashboard).

Who sees what is the capability table's (accounts/access.py): whoever may open the 360° page
(vendor staff) also sees the empty usage panel, the health score's number and the way to the
360° page; customers see usage once there is some, and the health band when the CSM allows it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account
from accounts.panels import Panel, register_panel
from accounts.portfolio_columns import register_column

from .figures import health
from .figures.book import with_health
from .figures.revenue import with_arr
from .figures.upsell import account_upsell_leads, with_active_lead_count
from .figures.usage import usage_summary
from .forms import UpsellRaiseForm
from .models import AccountFacts
from .services.upsell import contract_currency


@register_panel(
    order=5,
    title=gettext_lazy("Product usage"),
    height="18rem",
    pages=("account", "executive-home"),
)
def usage_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    summary = usage_summary(access.account, timezone.localdate())
    if summary["usage"] is None and not access.can("insights.view_360"):
        return None
    return Panel("insights/panel_usage.html", summary)


@register_panel(order=6, title=gettext_lazy("Health"), height="7rem")
def health_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """The health band: always for vendor staff, for the customer only when the CSM allows it."""
    if (
        not access.can("insights.view_360")
        and not AccountFacts.of(access.account).customers_see_health
    ):
        return None
    latest = health.latest_score(access.account)
    if latest is None:
        return None
    return Panel("insights/panel_health.html", {"health": latest})


@register_panel(
    order=30, title=gettext_lazy("Health and its trend"), height="8rem", pages=("executive-home",)
)
def health_trend_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """The health band and its trend over the last months, once the CSM shares health with the
    customer (the pulse form's "customers see health", off by default)."""
    if not AccountFacts.of(access.account).customers_see_health:
        return None
    trend = health.health_trend(access.account, timezone.localdate())
    if trend["latest"] is None:
        return None
    return Panel("insights/panel_health_trend.html", trend)


# The portfolio's columns: health (the latest score, as every surface shows it) and ARR.


def _with_arr_today(accounts: QuerySet[Account]) -> QuerySet[Account]:
    return with_arr(accounts, timezone.localdate())


register_column(
    "health",
    gettext_lazy("Health"),
    with_health,
    "health_score",
    "insights/cells/health.html",
    40,
    numeric=True,
)
register_column(
    "arr", gettext_lazy("ARR"), _with_arr_today, "arr", "insights/cells/arr.html", 50, numeric=True
)


@register_panel(
    order=12,
    name="csqls",
    title=gettext_lazy("Upsell leads (CSQLs)"),
    capability="insights.upsell_leads",
    height="14rem",
    pages=("360",),
)
def csqls_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """The account's upsell leads: the active ones with their moves, the latest closed ones,
    and the form to raise one by hand. Vendor staff only, never a customer's."""
    if not access.can("insights.upsell_leads"):
        return None
    account = access.account
    return Panel(
        "insights/panel_csqls.html",
        {
            "account": account,
            "leads": account_upsell_leads(account),
            "raise_form": UpsellRaiseForm(),
            "currency": contract_currency(account),
        },
    )


register_column(
    "csqls",
    gettext_lazy("Open CSQLs"),
    with_active_lead_count,
    "open_csqls",
    "insights/cells/csqls.html",
    85,
    numeric=True,
    secondary=True,
)

"""The 360° page's card: the account's churn probability, its band and its three drivers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from . import figures


@register_panel(
    order=15,
    title=gettext_lazy("Churn forecast"),
    capability="forecast.view",
    height="12rem",
    pages=("360",),
)
def churn_forecast_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """Vendor staff only. Without a model it says how much history is missing; without a
    forecast for this account (no contract running) it says so."""
    if not access.can("forecast.view"):
        return None
    forecast = figures.account_forecast(access.account)
    model = forecast.model if forecast else figures.current_model()
    return Panel(
        "forecast/panel.html",
        {
            "model": model,
            "history": None if model else figures.history(),
            "forecast": figures.shown([forecast])[0] if forecast else None,
        },
    )

"""The offboarding's cards: on the 360° page, its progress (or a button to start it); on the
account page, for the customer's champions and executives once it has started."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from . import figures


@register_panel(
    order=16,
    title=gettext_lazy("Offboarding"),
    capability="offboarding.manage",
    height="6rem",
    pages=("360",),
)
def offboarding_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("offboarding.manage"):
        return None
    offboarding = figures.offboarding_of(access.account)
    return Panel(
        "offboarding/panel.html",
        {
            "offboarding": offboarding,
            "checklist": figures.checklist(offboarding, access) if offboarding else None,
        },
    )


@register_panel(
    order=4, name="offboarding-customer", title=gettext_lazy("Offboarding"), capability="offboarding.view",
    height="5rem",
)  # fmt: skip
def offboarding_customer_panel(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> Panel | None:
    """The customer's: nothing until an offboarding has started."""
    if access.is_vendor:
        return None
    offboarding = figures.offboarding_of(access.account)
    if offboarding is None:
        return None
    return Panel(
        "offboarding/panel.html",
        {"offboarding": offboarding, "checklist": figures.checklist(offboarding, access)},
    )

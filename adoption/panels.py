"""The account page's panels: the champion's unused features with what to try, and a
campaign's card for the person it targets."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import open_cards, top_unused


@register_panel(order=47, title=_("Features to try"), capability="adoption.view", height="10rem")
def adoption_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """Two queries; nothing shown when every licensed feature is in use."""
    unused = top_unused(access.account, timezone.localdate())
    if not unused:
        return None
    return Panel("adoption/panel.html", {"unused": unused})


@register_panel(
    order=5,
    name="adoption-card",
    title=_("A feature to try"),
    capability="account.view",
    height="0",
)
def adoption_card_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """The person's own card from a running campaign (one query); vendor staff have none."""
    if not access.is_customer or access.preview:
        return None
    cards = open_cards(access.account, request.user.pk, timezone.localdate())
    if not cards:
        return None
    return Panel("adoption/panel_card.html", {"cards": cards})

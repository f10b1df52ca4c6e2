"""The advocacy panel on the account page: for the customer's people, the asks waiting for
their answer, a case study waiting for the champion, and the way to refer a company; for the
CS team, the account's promoters and asks at a glance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from . import figures
from .models import AskStatus


@register_panel(order=70, title=gettext_lazy("Advocacy"), capability="account.view", height="7rem")
def advocacy_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    account = access.account
    if access.can("advocacy.ask"):
        return Panel(
            "advocacy/panel.html",
            {
                "promoters": figures.promoters(account),
                "open_asks": figures.account_asks(account).filter(status=AskStatus.ASKED).count(),
            },
        )
    context = {
        "asks": list(figures.my_open_asks(account, request.user))
        if access.can("advocacy.answer")
        else [],
        "awaiting": list(figures.awaiting_champion(account))
        if access.can("advocacy.approve_case_study")
        else [],
        "may_refer": access.can("advocacy.refer"),
    }
    if not (context["asks"] or context["awaiting"] or context["may_refer"]):
        return None
    return Panel("advocacy/panel.html", context)

"""What needs an executive's attention, gathered from the features that know it.

A feature registers a provider that returns, for one viewer of one account, the things they
should act on (an open sign-off, overdue tasks, a renewal that is near):

    @register_attention
    def open_signoffs(request, access): ...

The executive's home shows the first three, the most pressing first (``rank``). Accounts knows
no feature: the features import this module, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from portal import formatting

from .access import AccountAccess
from .http import AuthenticatedHttpRequest
from .panels import Panel, register_panel

SHOWN = 3  # "the three things that need their attention"
RENEWAL_WINDOW_DAYS = 90

# The order of the kinds: a decision asked of them, then late work, then a date.
DECISION, OVERDUE, DATE = 10, 20, 30


@dataclass(frozen=True)
class AttentionItem:
    rank: int  # lower comes first
    title: str
    url: str = ""
    detail: str = ""
    due: date | None = None  # within one rank, the earlier first
    template: str = ""  # shows the item with its own actions; else a link with the title
    context: dict[str, Any] = field(default_factory=dict)


AttentionProvider = Callable[[AuthenticatedHttpRequest, AccountAccess], list[AttentionItem]]
_PROVIDERS: list[AttentionProvider] = []


def register_attention(provider: AttentionProvider) -> AttentionProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def attention_items(
    request: AuthenticatedHttpRequest, access: AccountAccess, limit: int = SHOWN
) -> list[AttentionItem]:
    """The first ``limit`` things for this viewer, the most pressing first. Each provider
    answers in a fixed number of queries."""
    items = [item for provider in _PROVIDERS for item in provider(request, access)]
    items.sort(key=lambda item: (item.rank, item.due or date.max, item.title))
    return items[:limit]


@register_attention
def renewal_near(request: AuthenticatedHttpRequest, access: AccountAccess) -> list[AttentionItem]:
    """The renewal date, once it is within :data:`RENEWAL_WINDOW_DAYS`."""
    renews = access.account.renewal_date
    if renews is None:
        return []
    days = (renews - timezone.localdate()).days
    if not 0 <= days <= RENEWAL_WINDOW_DAYS:
        return []
    owner = access.account.owner
    return [
        AttentionItem(
            rank=DATE,
            title=gettext("Renewal on %(date)s") % {"date": formatting.long_date(renews)},
            detail=ngettext("In %(count)s day.", "In %(count)s days.", days) % {"count": days}
            + (
                " " + gettext("Talk it over with %(name)s.") % {"name": owner.display_name}
                if owner
                else ""
            ),
            url=f"mailto:{owner.email}" if owner else "",
            due=renews,
        )
    ]


@register_panel(
    order=1,
    name="attention",
    title=gettext_lazy("Needs your attention"),
    height="9rem",
    pages=("executive-home",),
)
def attention_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    return Panel("accounts/panel_attention.html", {"items": attention_items(request, access)})

"""The onboarding panel on the account page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import AccountAccess
from accounts.attention import OVERDUE, AttentionItem, register_attention
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import checklist_view
from .models import Checklist
from .services import may_see_internal


@register_panel(
    order=10,
    title=gettext_lazy("Onboarding"),
    capability="onboarding.view",
    height="14rem",
)
def onboarding_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("onboarding.view"):
        return None
    checklist = Checklist.objects.filter(account=access.account).first()
    if checklist is None:
        # Vendor staff are offered to start it; customers see nothing until it starts.
        if access.can("onboarding.manage"):
            return Panel("onboarding/panel_onboarding.html", {"checklist": None})
        return None
    checklist.account = access.account
    view = checklist_view(
        checklist, viewer_id=request.user.pk or 0, with_internal=may_see_internal(access)
    )
    return Panel(
        "onboarding/panel_onboarding.html",
        {"checklist": checklist, "view": view, "upcoming": view.upcoming},
    )


@register_attention
def overdue_customer_tasks(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> list[AttentionItem]:
    """The customer's shared onboarding tasks past their due date, as one item (one query)."""
    from django.db.models import Count, Min
    from django.urls import reverse

    from .models import Side, Task

    late = (
        Task.objects.filter(checklist__account=access.account, internal=False)
        .filter(owner_side=Side.CUSTOMER)
        .overdue()
        .aggregate(count=Count("pk"), since=Min("due_date"))
    )
    if not late["count"]:
        return []
    count = late["count"]
    return [
        AttentionItem(
            rank=OVERDUE,
            title=ngettext(
                "%(count)s onboarding task overdue", "%(count)s onboarding tasks overdue", count
            )
            % {"count": count},
            detail=_("Late since %(date)s: your team's part of the onboarding.")
            % {"date": dateformat.format(late["since"], "j F")},
            url=reverse("onboarding", args=[access.account.slug]),
            due=late["since"],
        )
    ]

"""The academy panel on the account page: the viewer's courses and how far they are; the
account's training completion for the champion and the vendor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import my_courses, training_completion
from .views.common import customer_role


@register_panel(
    order=60,
    title=gettext_lazy("Academy"),
    capability="academy.view",
    height="10rem",
)
def academy_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("academy.view"):
        return None
    cards = my_courses(access.account, request.user, customer_role(access, request.user.pk))
    if not cards:
        return None
    shown = [c for c in cards if c.assigned or c.progress.started][:4] or cards[:3]
    training = training_completion(access.account) if access.can("academy.view_progress") else None
    return Panel("academy/panel.html", {"cards": shown, "total": len(cards), "training": training})

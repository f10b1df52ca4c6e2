"""``{% unread_updates nav as n %}``: the badge on "Updates" in an account's navigation."""

from __future__ import annotations

from typing import Any

from django import template

from ..figures import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_updates(context: Any, access: Any) -> int:
    """A customer's unread updates on ``access``'s account: one query, and only where the
    navigation shows it, with the layout's other badges (portal.layout.badges) (vendor staff get no badge, and no query)."""
    request = context.get("request")
    if access is None or request is None or not getattr(access, "is_customer", False):
        return 0
    from portal.layout import updates_unread

    counted = updates_unread(request, access)
    return unread_count(access, request.user) if counted is None else counted

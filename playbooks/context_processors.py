"""The count of unread notices beside "Today" in the navigation, for vendor staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .notices import unread_notice_count


def notices(request: HttpRequest) -> dict[str, Any]:
    """Lazy: the one query runs only where the navigation shows the count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_vendor:
        return {}
    return {"unread_notice_count": SimpleLazyObject(lambda: unread_notice_count(user))}

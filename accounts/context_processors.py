"""The bell in the header: how many inbox items the signed-in person has not read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .inbox import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Lazy: the one query runs only where a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}

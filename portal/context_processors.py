from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Account


def portal(request: HttpRequest) -> dict[str, Any]:
    """The shell's own figures: product names and, for customer users, the account switcher."""
    context: dict[str, Any] = {"SITE_NAME": settings.SITE_NAME, "VENDOR_NAME": settings.VENDOR_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not user.is_vendor:
        # Lazy: evaluated only where the navigation shows the switcher.
        context["my_accounts"] = Account.objects.visible_to(user).only("name", "slug")
    return context

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

# Set in the session of someone's first log-in, so the portal greets them "Welcome", not
# "Welcome back".
FIRST_LOGIN_SESSION_KEY = "first_login"


class PortalAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people join through an invitation from their CSM or champion."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        first = user.last_login is None
        super().login(request, user)
        if first:
            request.session[FIRST_LOGIN_SESSION_KEY] = True

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # The portal's own name and address in allauth's mails, not the request's host name.
        context.setdefault(
            "current_site",
            SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc),
        )
        context.setdefault("site_name", settings.SITE_NAME)
        context.setdefault("site_url", settings.SITE_URL)
        super().send_mail(template_prefix, email, context)

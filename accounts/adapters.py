from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people join through an invitation from their CSM or champion."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # The portal's own name and address in allauth's mails, not the request's host name.
        context.setdefault(
            "current_site",
            SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc),
        )
        super().send_mail(template_prefix, email, context)

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.shortcuts import render

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
        # In the recipient's language and zone (portal.i18n), not the request's: a password
        # reset asked for from a colleague's browser reads as its owner chose.
        from portal.i18n import override_for

        from .models import User

        user = context.get("user")
        if not isinstance(user, User):
            try:
                user = User.objects.filter(email__iexact=email).first()
            except DatabaseError:  # no database (a link check): the request's language
                user = None
        if user is not None:
            with override_for(user):
                super().send_mail(template_prefix, email, context)
        else:
            super().send_mail(template_prefix, email, context)


def refusal(request: HttpRequest, reason: str, *, status: int = 403) -> ImmediateHttpResponse:
    """A single sign-on the portal refuses: the page that says why, and how to sign in."""
    return ImmediateHttpResponse(
        render(request, "accounts/sso_refused.html", {"reason": reason}, status=status)
    )


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's social accounts as single sign-on per customer account (accounts.sso).

    Each account's identity provider is its own SocialApp; a sign-in through it admits only
    that account's people (its e-mail domains, never vendor staff), makes a first-timer a
    member of that account (or the role their groups map to), and adds an existing person to
    that account only. Providers are never listed: people find theirs by their e-mail.
    """

    def list_providers(self, request: HttpRequest) -> list[Any]:
        # allauth would list every account's identity provider on the log-in page and on the
        # "connections" page: customers' names to anyone. Home realm discovery finds it instead.
        return []

    def list_apps(
        self, request: HttpRequest | None, provider: Any = None, client_id: Any = None
    ) -> list[Any]:
        from .sso import apps_enabled

        return apps_enabled(super().list_apps(request, provider=provider, client_id=client_id))

    def _sso(self, sociallogin: Any) -> Any:
        from .sso import sso_for_provider

        return sso_for_provider(sociallogin.account.provider)

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from .services import join_by_sso
        from .sso import SSORefused, check_sign_in, groups_from

        sso = self._sso(sociallogin)
        try:
            check_sign_in(sso, sociallogin)
        except SSORefused as error:
            raise refusal(request, str(error)) from error
        if sociallogin.is_existing:
            join_by_sso(sociallogin.user, sso=sso, groups=groups_from(sociallogin, sso.group_claim))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # Only sign-ins pre_social_login admitted get this far.
        return self._sso(sociallogin) is not None

    def is_email_verified(self, provider: Any, email: str) -> bool:
        """An address the identity provider sends is taken as verified at the account's own
        domains only."""
        from .sso import email_domain, sso_for_provider

        sso = sso_for_provider(provider.sub_id)
        return sso is not None and email_domain(email) in sso.account.allowed_domains

    def can_authenticate_by_email(self, login: Any, email: str) -> bool:
        # A person already in the portal (invited earlier) signs in as themselves.
        return self.is_email_verified(login.provider, email)

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        full = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
        user.name = (data.get("name") or full or "")[:150]
        return user

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        from .services import join_by_sso
        from .sso import groups_from

        user = super().save_user(request, sociallogin, form)
        sso = self._sso(sociallogin)
        join_by_sso(user, sso=sso, groups=groups_from(sociallogin, sso.group_claim))
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        from .sso import explain_failure

        raise refusal(request, explain_failure(provider, error, exception, extra_context))

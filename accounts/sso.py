"""Single sign-on per account: which account's identity provider a person uses, the URLs the
customer's IT needs, and who may come in through it.

The protocols are django-allauth's (``allauth.socialaccount`` with its OpenID Connect and SAML
providers); the portal's adapter (:mod:`accounts.adapters`) applies the rules here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from onelogin.saml2.errors import OneLogin_Saml2_Error

from .models import Account, AccountSSO, User

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin

logger = logging.getLogger(__name__)


class SSORefused(Exception):
    """A sign-in the portal refuses, with the message the person is shown."""


def email_domain(email: str) -> str:
    """The domain of an address, lower case; "" for something that is not an address."""
    local, at, domain = email.strip().rpartition("@")
    return domain.lower() if at and local else ""


def sso_for_email(email: str) -> AccountSSO | None:
    """The enabled single sign-on of the account whose e-mail domains include ``email``'s."""
    domain = email_domain(email)
    if not domain:
        return None
    candidates = AccountSSO.objects.filter(
        enabled=True, account__email_domains__icontains=domain
    ).select_related("account", "app")
    for sso in candidates:  # icontains narrows; the exact domain list decides
        if domain in sso.account.allowed_domains:
            return sso
    return None


def sso_required_for(email: str) -> AccountSSO | None:
    """The single sign-on ``email`` must use instead of a password or an e-mailed code: the
    account's that requires it, by the person's membership or by the address's domain. Vendor
    staff are never sent to a customer's identity provider."""
    email = (email or "").strip()
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_vendor:
        return None
    if user is not None:
        by_membership = (
            AccountSSO.objects.filter(
                enabled=True, require_sso=True, account__memberships__user=user
            )
            .select_related("account", "app")
            .first()
        )
        if by_membership is not None:
            return by_membership
    by_domain = sso_for_email(email)
    return by_domain if by_domain is not None and by_domain.require_sso else None


def sso_for_provider(provider_id: str) -> AccountSSO | None:
    """The account single sign-on whose allauth app has ``provider_id`` (``sso-acme``)."""
    return (
        AccountSSO.objects.filter(app__provider_id=provider_id)
        .select_related("account", "app")
        .first()
    )


def enabled_sso_for_provider(provider_id: str) -> AccountSSO | None:
    sso = sso_for_provider(provider_id)
    return sso if sso is not None and sso.enabled else None


def planned_provider_id(account: Account) -> str:
    """The provider id an account's single sign-on has, or will get when first configured: it
    names the URLs the customer's IT registers, so it never changes afterwards."""
    existing = AccountSSO.objects.filter(account=account).select_related("app").first()
    if existing is not None:
        return existing.provider_id
    from allauth.socialaccount.models import SocialApp

    candidate = f"sso-{account.slug}"
    if SocialApp.objects.filter(provider_id=candidate).exists():
        candidate = f"sso-{account.slug}-{account.pk}"
    return candidate


@dataclass(frozen=True)
class ServiceProviderURLs:
    """What the customer's IT enters in their identity provider."""

    redirect_uri: str  # OpenID Connect: the sign-in redirect (callback) URL
    saml_entity_id: str
    saml_acs_url: str
    saml_metadata_url: str
    saml_login_url: str


def service_provider_urls(provider_id: str) -> ServiceProviderURLs:
    site = settings.SITE_URL
    metadata = site + reverse("saml_metadata", args=[provider_id])
    return ServiceProviderURLs(
        redirect_uri=site + reverse("openid_connect_callback", args=[provider_id]),
        saml_entity_id=metadata,
        saml_acs_url=site + reverse("saml_acs", args=[provider_id]),
        saml_metadata_url=metadata,
        saml_login_url=site + reverse("saml_login", args=[provider_id]),
    )


def start_login(request: HttpRequest, sso: AccountSSO, next_url: str | None) -> str:
    """Start a sign-in at the company's identity provider (home realm discovery): the URL to
    send the browser to, the sign-in's state kept in the session.

    A URL, not a redirect: the page's Content-Security-Policy (``form-action 'self'``) would
    stop a form whose answer redirects to another site, so the page that follows the form
    sends the browser on (accounts/sso_redirect.html)."""
    provider = sso.app.get_provider(request)
    try:
        response: HttpResponse = provider.redirect(
            request, AuthProcess.LOGIN, next_url=next_url or None
        )
    except (requests.RequestException, OneLogin_Saml2_Error, OSError, ValueError) as error:
        logger.warning("SSO %s: the identity provider did not answer: %s", sso.provider_id, error)
        raise SSORefused(
            _(
                "%(account)s's identity provider did not answer. Try again shortly, "
                "or ask your IT team whether it is running."
            )
            % {"account": sso.account.name}
        ) from error
    return str(response["Location"])


def groups_from(sociallogin: SocialLogin, claim: str) -> list[str]:
    """The person's groups as the identity provider sent them: an OpenID Connect claim (from
    the user info or the ID token) or a SAML attribute (every value)."""
    if not claim:
        return []
    data: dict[str, Any] = sociallogin.account.extra_data or {}
    sources = [data.get("userinfo") or {}, data.get("id_token") or {}, data]
    for source in sources:
        if isinstance(source, dict) and claim in source:
            value = source[claim]
            if isinstance(value, str):
                return [value]
            if isinstance(value, list | tuple):
                return [str(item) for item in value]
    return []


def check_sign_in(sso: AccountSSO | None, sociallogin: SocialLogin) -> str:
    """The e-mail of a sign-in through ``sso`` the portal admits; :class:`SSORefused` with the
    reason otherwise. Admitted: a log-in (not linking an identity to someone signed in) through
    an enabled single sign-on, for an address at one of the account's domains, of a person who
    is not vendor staff and not deactivated."""
    if sso is None or not sso.enabled:
        raise SSORefused(_("This single sign-on is not set up in the portal."))
    if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
        raise SSORefused(_("Single sign-on signs people in; it cannot be linked to a login."))
    email = ""
    if sociallogin.email_addresses:
        email = sociallogin.email_addresses[0].email
    email = (email or getattr(sociallogin.user, "email", "") or "").strip().lower()
    account = sso.account
    if not email:
        raise SSORefused(
            _(
                "%(account)s's identity provider did not send an e-mail address. Ask your IT "
                "team to release the e-mail claim to the portal."
            )
            % {"account": account.name}
        )
    domains = account.allowed_domains
    if not domains or email_domain(email) not in domains:
        raise SSORefused(
            _(
                "%(email)s is not an address of %(account)s (%(domains)s): it cannot sign in "
                "through %(account)s's single sign-on."
            )
            % {
                "email": email,
                "account": account.name,
                "domains": ", ".join(domains) or _("no domains set"),
            }
        )
    existing = sociallogin.user if sociallogin.is_existing else None
    if existing is None:
        existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_vendor:
        raise SSORefused(
            _(
                "Vendor staff sign in with their own login, never through a customer's single sign-on."
            )
        )
    if existing is not None and not existing.is_active:
        raise SSORefused(_("This login has been deactivated. Ask your CSM to restore access."))
    return email


def apps_enabled(apps: list[Any]) -> list[Any]:
    """allauth's apps without the single sign-ons that are switched off."""
    ids = [app.pk for app in apps if app.pk is not None]
    off = set(
        AccountSSO.objects.filter(app_id__in=ids, enabled=False).values_list("app_id", flat=True)
    )
    return [app for app in apps if app.pk not in off]


def _causes(exception: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while exception is not None and len(chain) < 10:
        chain.append(exception)
        exception = exception.__cause__ or exception.__context__
    return chain


def explain_failure(
    provider: Any, error: Any, exception: BaseException | None, extra: dict[str, Any] | None
) -> str:
    """What went wrong with a sign-in allauth could not complete, in words for the person and
    their IT team (the identity provider's answer failed a check, or never came)."""
    import jwt
    from allauth.socialaccount.providers.base.constants import AuthError

    name = getattr(getattr(provider, "app", None), "name", "") or _("your company's SSO")
    causes = _causes(exception)
    logger.warning(
        "SSO sign-in through %s failed: %s %s %s",
        getattr(getattr(provider, "app", None), "provider_id", "?"),
        error,
        " <- ".join(repr(cause) for cause in causes),
        (extra or {}).get("saml_last_error_reason", ""),
    )
    checks: list[tuple[type[BaseException], str]] = [
        (
            jwt.InvalidIssuerError,
            _(
                "the identity provider's token names a different issuer than the one its "
                "configuration announces (wrong issuer)"
            ),
        ),
        (
            jwt.InvalidAudienceError,
            _(
                "the identity provider's token was issued for another application, not this "
                "portal's client ID (wrong audience)"
            ),
        ),
        (
            jwt.InvalidSignatureError,
            _(
                "the identity provider's token is not signed by any key it publishes "
                "(bad signature)"
            ),
        ),
        (jwt.ExpiredSignatureError, _("the identity provider's token has expired")),
        (
            jwt.ImmatureSignatureError,
            _(
                "the identity provider's token is dated in the future (its clock and the "
                "portal's disagree)"
            ),
        ),
        (requests.RequestException, _("the identity provider did not answer")),
    ]
    for kind, words in checks:
        if any(isinstance(cause, kind) for cause in causes):
            return _(
                "Sign-in with %(name)s was refused: %(why)s. Ask your IT team to check the setup."
            ) % {"name": name, "why": words}
    if any("kid" in str(cause) for cause in causes):
        return _(
            "Sign-in with %(name)s was refused: the identity provider's token is signed with a "
            "key it does not publish (bad signature). Ask your IT team to check the setup."
        ) % {"name": name}
    if extra and extra.get("saml_errors"):
        reason = extra.get("saml_last_error_reason") or ", ".join(extra["saml_errors"])
        return _(
            "Sign-in with %(name)s was refused: the SAML response failed a check (%(reason)s)."
        ) % {"name": name, "reason": reason}
    if error == AuthError.CANCELLED:
        return _("Sign-in with %(name)s was cancelled.") % {"name": name}
    return _(
        "Sign-in with %(name)s could not be completed (the sign-in may have expired, or was "
        "started in another browser). Start again from the log-in page."
    ) % {"name": name}

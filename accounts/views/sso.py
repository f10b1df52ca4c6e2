"""Single sign-on: the CS admin's setup page for an account, and the log-in page's "Sign in with
your company's SSO" (home realm discovery: a work e-mail finds the account's identity provider)."""

from __future__ import annotations

from allauth.core.ratelimit import consume
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import AccountAccess, account_view
from ..forms import SSODiscoveryForm, SSOForm, SSOStartForm, add_service_errors
from ..http import AuthenticatedHttpRequest
from ..models import AccountSSO, SSOProtocol
from ..services import configure_sso, disable_sso
from ..sso import (
    SSORefused,
    enabled_sso_for_provider,
    planned_provider_id,
    service_provider_urls,
    sso_for_email,
    start_login,
)


def _initial(sso: AccountSSO | None) -> dict[str, object]:
    if sso is None:
        return {"protocol": SSOProtocol.OIDC}
    idp = sso.app.settings.get("idp") or {}
    return {
        "protocol": sso.protocol,
        "server_url": sso.app.settings.get("server_url", ""),
        "client_id": sso.app.client_id if sso.protocol == SSOProtocol.OIDC else "",
        "saml_entity_id": idp.get("entity_id", ""),
        "saml_sso_url": idp.get("sso_url", ""),
        "saml_x509cert": idp.get("x509cert", ""),
        "saml_metadata_url": idp.get("metadata_url", ""),
        "group_claim": sso.group_claim,
        "role_mapping": "\n".join(f"{group} = {role}" for group, role in sso.role_mapping.items()),
        "require_sso": sso.require_sso,
    }


@account_view("sso.configure")
def account_sso(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account = access.account
    sso = AccountSSO.objects.filter(account=account).select_related("app").first()
    has_secret = bool(sso and sso.protocol == SSOProtocol.OIDC and sso.app.secret)
    form = SSOForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(sso),
        account=account,
        has_secret=has_secret,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                configure_sso(
                    account,
                    acting_user=request.user,
                    protocol=data["protocol"],
                    server_url=data["server_url"],
                    client_id=data["client_id"],
                    client_secret=data["client_secret"] or None,
                    saml_entity_id=data["saml_entity_id"],
                    saml_sso_url=data["saml_sso_url"],
                    saml_x509cert=data["saml_x509cert"],
                    saml_metadata_url=data["saml_metadata_url"],
                    require_sso=data["require_sso"],
                    group_claim=data["group_claim"],
                    role_mapping=data["role_mapping"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Single sign-on was saved and is on."))
                return redirect("account_sso", account.slug)
        status = 422
    context = {
        "access": access,
        "account": account,
        "sso": sso,
        "form": form,
        "urls": service_provider_urls(planned_provider_id(account)),
    }
    return render(request, "accounts/sso.html", context, status=status)


@require_POST
@account_view("sso.configure")
def account_sso_disable(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    sso = AccountSSO.objects.filter(account=access.account).first()
    if sso is not None:
        disable_sso(sso, acting_user=request.user)
        messages.success(
            request, _("Single sign-on is off: people log in with a password or a code.")
        )
    return redirect("account_sso", access.account.slug)


def _safe_next(request: HttpRequest, next_url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if allowed else ""


def _go_to(request: HttpRequest, sso: AccountSSO, next_url: str) -> HttpResponse:
    """The page that sends the browser on to the identity provider (a form's answer may not
    redirect to another site under the Content-Security-Policy's form-action 'self')."""
    url = start_login(request, sso, _safe_next(request, next_url))
    return render(request, "accounts/sso_redirect.html", {"sso": sso, "url": url})


def sso_discover(request: HttpRequest) -> HttpResponse:
    """A work e-mail in, the company's identity provider out (or a clear message, never a 500)."""
    if request.method == "POST":
        form = SSODiscoveryForm(request.POST)
    else:
        form = SSODiscoveryForm(
            initial={"email": request.GET.get("email", ""), "next": request.GET.get("next", "")}
        )
    if request.method == "POST" and form.is_valid():
        # Each attempt may fetch an identity provider's discovery document: rate-limited.
        if not consume(request, action="sso_discovery", key=form.cleaned_data["email"]):
            form.add_error(None, _("Too many sign-in attempts from here. Try again in a minute."))
            return render(request, "accounts/sso_discover.html", {"form": form}, status=429)
        sso = sso_for_email(form.cleaned_data["email"])
        if sso is None:
            form.add_error(
                "email",
                _(
                    "No company in the portal signs in with single sign-on at this address's "
                    "domain. Log in with your password or an e-mailed code instead."
                ),
            )
        else:
            try:
                return _go_to(request, sso, form.cleaned_data["next"])
            except SSORefused as error:
                form.add_error(None, str(error))
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/sso_discover.html", {"form": form}, status=status)


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """allauth's "Sign in via …" page's Continue: on to that identity provider."""
    form = SSOStartForm(request.POST)
    sso = enabled_sso_for_provider(form.cleaned_data["provider"]) if form.is_valid() else None
    if sso is None:
        raise Http404("No such single sign-on.")
    try:
        return _go_to(request, sso, form.cleaned_data["next"])
    except SSORefused as error:
        return render(request, "accounts/sso_refused.html", {"reason": str(error)}, status=502)

"""allauth's OpenID Connect login and callback views, with :class:`SignedIDTokenAdapter`."""

from __future__ import annotations

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .provider import SignedIDTokenAdapter

logger = logging.getLogger(__name__)


def _run(
    view_class: type[OAuth2LoginView | OAuth2CallbackView], request: HttpRequest, provider_id: str
) -> HttpResponse:
    try:
        view = view_class.adapter_view(SignedIDTokenAdapter(request, provider_id))
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404("No such single sign-on.") from error
    except requests.RequestException as error:
        # The identity provider's discovery document did not load: say so, never a 500.
        logger.warning("SSO %s: the identity provider did not answer: %s", provider_id, error)
        return render(
            request,
            "accounts/sso_refused.html",
            {"reason": _("Your company's identity provider did not answer. Try again shortly.")},
            status=502,
        )
    return response


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _run(OAuth2LoginView, request, provider_id)


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _run(OAuth2CallbackView, request, provider_id)

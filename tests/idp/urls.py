"""The test identity provider's URLs: django-oauth-toolkit under /o/, a log-in form."""

import json
import os

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from jwcrypto import jwk


def jwks_with_another_key(request: HttpRequest) -> JsonResponse:
    """The key set, but holding a key that did not sign, under the signing key's id."""
    kid = settings.SIGNING_KEY.thumbprint()  # type: ignore[misc]
    other = jwk.JWK.generate(kty="RSA", size=2048)
    data = {"alg": "RS256", "use": "sig", "kid": kid, **json.loads(other.export_public())}
    return JsonResponse({"keys": [data]})


urlpatterns: list[URLPattern | URLResolver] = [path("login/", LoginView.as_view(), name="login")]
if os.environ.get("IDP_JWKS_WRONG_KEY"):
    urlpatterns.append(path("o/.well-known/jwks.json", jwks_with_another_key))
urlpatterns.append(path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")))

"""The OpenID Connect provider the portal registers (settings.SOCIALACCOUNT_PROVIDERS)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter


class SignedIDTokenAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, checking the ID token's signature also when allauth fetched it."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        data: dict[str, Any] = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        return data


class PortalOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = SignedIDTokenAdapter
    # allauth mounts a provider's URLs from ``<package>.urls``: ours, with the adapter above.
    package = "accounts.oidc"

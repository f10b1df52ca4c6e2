"""The test identity provider's claims, and its misbehaviours (tests/idp/__init__.py)."""

import os
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class TestIdPValidator(OAuth2Validator):
    # Every claim in the ID token and the user info, whatever the scopes: the groups too.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.first_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if os.environ.get("IDP_TOKEN_ISSUER"):
            claims["iss"] = os.environ["IDP_TOKEN_ISSUER"]
        if os.environ.get("IDP_TOKEN_AUDIENCE"):
            claims["aud"] = os.environ["IDP_TOKEN_AUDIENCE"]
        return claims, expiration

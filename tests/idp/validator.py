"""The test identity provider's claims, and its clients' misbehaviours (tests/idp/__init__.py)."""

import base64
import json
import os
from typing import Any

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

MISBEHAVIOUR = {
    client["client_id"]: client.get("misbehaviour", "")
    for client in json.loads(os.environ.get("IDP_CLIENTS", "[]"))
}
WRONG_ISSUER = "https://impostor.example/o"
OTHER_AUDIENCE = "another-application"
UNPUBLISHED_KEY = jwk.JWK.generate(kty="RSA", size=2048)


def _part(segment: str) -> str:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode()


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
        misbehaviour = MISBEHAVIOUR.get(request.client_id, "")
        if misbehaviour == "wrong_issuer":
            claims["iss"] = WRONG_ISSUER
        if misbehaviour == "wrong_audience":
            claims["aud"] = OTHER_AUDIENCE
        return claims, expiration

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> str:
        signed: str = super().finalize_id_token(id_token, token, token_handler, request)
        if MISBEHAVIOUR.get(request.client_id) != "bad_signature":
            return signed
        # The same header (the published key's id) and claims, signed with another key.
        header, claims, _ = signed.split(".")
        forged = jwt.JWT(header=_part(header), claims=_part(claims))
        forged.make_signed_token(UNPUBLISHED_KEY)
        return str(forged.serialize())

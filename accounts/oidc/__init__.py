"""allauth's OpenID Connect provider, wired so that an ID token's signature is always checked.

allauth skips the signature of an ID token it fetched itself from the token endpoint (OpenID
Connect Core 3.1.3.7 allows it over TLS). A customer's identity provider is configured by hand
in the portal, so the portal checks it anyway: a token not signed by a key the identity
provider publishes (its JWKS) is refused, like a wrong issuer or audience. The checking is
allauth's own (``jwtkit.verify_and_decode``); this package only turns it on and mounts allauth's
views at allauth's own URLs and names (``openid_connect_login``, ``openid_connect_callback``).
"""

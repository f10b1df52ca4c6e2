"""A real OpenID Connect identity provider for the single sign-on tests.

A small Django project of its own (django-oauth-toolkit with OpenID Connect on), started by
the tests as a subprocess on loopback: ``python -m tests.idp.serve`` prints the port it
listens on. Environment:

* ``IDP_DIR`` - a directory for its SQLite database;
* ``IDP_CLIENT_ID``, ``IDP_CLIENT_SECRET``, ``IDP_REDIRECT_URIS`` (space-separated);
* ``IDP_USERS`` - JSON ``[{"username", "password", "email", "name", "groups": [...]}]``;
* misbehaviours, one per instance: ``IDP_TOKEN_ISSUER`` (ID tokens name this issuer, not the
  one the discovery document announces), ``IDP_TOKEN_AUDIENCE`` (ID tokens are issued for this
  client ID), ``IDP_JWKS_WRONG_KEY=1`` (the published key set holds another key under the
  signing key's id, so the signature matches no published key).
"""

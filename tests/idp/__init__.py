"""A real OpenID Connect identity provider for the single sign-on tests.

A small Django project of its own (django-oauth-toolkit with OpenID Connect on), started by
the tests as a subprocess on loopback: ``python -m tests.idp.serve`` prints the port it
listens on. Environment:

* ``IDP_DIR`` - a directory for its SQLite database;
* ``IDP_CLIENTS`` - JSON ``[{"client_id", "secret", "misbehaviour"}]``, the applications
  registered for the portal, each with the portal's redirect URIs (``IDP_REDIRECT_URIS``,
  space-separated);
* ``IDP_USERS`` - JSON ``[{"username", "password", "email", "name", "groups": [...]}]``.

A client's misbehaviour, for the tests of what the portal refuses: ``wrong_issuer`` (its ID
tokens name another issuer than the discovery document announces), ``wrong_audience`` (its ID
tokens are issued for another client ID), ``bad_signature`` (its ID tokens are signed with a key
the identity provider does not publish, under the published key's id).
"""

"""Single sign-on tests: real OpenID Connect identity providers on loopback (tests/idp), signing
in through them end to end, and the rows of the URL x role access matrix.

tests/test_access_matrix.py takes its rows from here::

    EXPECTED.update(SSO_EXPECTED)
    AUTH_PAGES |= SSO_AUTH_PAGES
    # in matrix_world:   ctx["sso"] = make_sso_world(world)
    # in url_and_data:   **sso_url_args(ctx["sso"]),
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AccountSSO, SSOProtocol
from tests.sso_factories import AccountSSOFactory, SocialAppFactory

ROOT = Path(__file__).resolve().parent.parent
PORTAL = "http://testserver"
CLIENT_ID = "customer-portal"
CLIENT_SECRET = "idp-test-secret-0123456789"
IDP_PASSWORD = "idp-password-4711"

# The people the identity providers know: (username, e-mail, name, groups).
IDP_PEOPLE = [
    ("pat", "pat@acme.example", "Pat Champion", ["portal-champions", "everyone"]),
    ("sam", "sam@acme.example", "Sam Member", ["everyone"]),
    ("eve", "eve@elsewhere.example", "Eve Elsewhere", []),
    ("ops", "ops@acme.example", "Ops Vendor", []),
    ("bo", "bo@bluth.example", "Bo Bluth", ["portal-champions"]),
]

# The portal's applications at the identity provider: one that works, and one for each way
# an ID token can be wrong (tests/idp/validator.py).
CLIENTS: dict[str, str] = {
    "good": CLIENT_ID,
    "wrong_issuer": "portal-wrong-issuer",
    "wrong_audience": "portal-wrong-audience",
    "bad_signature": "portal-bad-signature",
}


@dataclass(frozen=True)
class IdP:
    port: int

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/o"


def _redirect_uris(portal: str) -> str:
    return " ".join(
        f"{portal}/auth/oidc/{provider_id}/login/callback/"
        for provider_id in ("sso-acme", "sso-bluth")
    )


@contextmanager
def running_idp(directory: Path, portal: str = PORTAL) -> Iterator[IdP]:
    """The test identity provider (tests/idp) in a subprocess, for a portal at ``portal``."""
    people = [
        {"username": u, "password": IDP_PASSWORD, "email": e, "name": n, "groups": g}
        for u, e, n, g in IDP_PEOPLE
    ]
    clients = [
        {
            "client_id": client_id,
            "secret": CLIENT_SECRET,
            "misbehaviour": "" if kind == "good" else kind,
        }
        for kind, client_id in CLIENTS.items()
    ]
    env = {
        **os.environ,
        "IDP_DIR": str(directory),
        "IDP_CLIENTS": json.dumps(clients),
        "IDP_REDIRECT_URIS": _redirect_uris(portal),
        "IDP_USERS": json.dumps(people),
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.idp.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip().isdigit(), "the identity provider did not start"
        yield IdP(port=int(line))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="session", name="idp")
def idp_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdP]:
    """The identity provider, started once a run (about 2 s; more on a busy machine)."""
    with running_idp(tmp_path_factory.mktemp("idp")) as idp:
        yield idp


def configure_oidc(
    account: Account,
    idp: IdP,
    *,
    client: str = "good",
    group_claim: str = "groups",
    role_mapping: dict[str, str] | None = None,
    require_sso: bool = False,
) -> AccountSSO:
    """``account``'s single sign-on through ``idp`` as the portal's application ``client``
    (of CLIENTS), as a CS admin's form would save it."""
    from accounts.services import configure_sso
    from tests.factories import AdminFactory

    return configure_sso(
        account,
        acting_user=AdminFactory.create(),
        protocol=SSOProtocol.OIDC,
        server_url=idp.server_url,
        client_id=CLIENTS[client],
        client_secret=CLIENT_SECRET,
        group_claim=group_claim,
        role_mapping={"portal-champions": "champion"} if role_mapping is None else role_mapping,
        require_sso=require_sso,
    )


def sign_in_at_idp(authorize_url: str, username: str) -> str:
    """Be the person at their identity provider: open the authorize URL, log in on its form,
    and return the URL it sends the browser back to (the portal's callback, with the code)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(8):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            next_url = re.search(r'name="next" value="([^"]*)"', response.text)
            assert token and next_url, response.text
            response = session.post(
                url,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": username,
                    "password": IDP_PASSWORD,
                    "next": html.unescape(next_url.group(1)),
                },
                allow_redirects=False,
                timeout=10,
            )
        assert response.status_code == 302, (url, response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if url.startswith(PORTAL + "/"):
            return url
    raise AssertionError(f"the identity provider never sent the browser back: {url}")


def identity_provider_url(response: Any) -> str:
    """Where the portal's redirect page sends the browser (its refresh, and its button)."""
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page)
    button = re.search(r'id="sso-continue" href="([^"]+)"', page)
    assert refresh and button and refresh.group(1) == button.group(1), page
    return html.unescape(button.group(1))


def discover(client: Client, email: str) -> str:
    """The log-in page's "Sign in with your company's SSO": a work e-mail in, the identity
    provider's sign-in URL out."""
    return identity_provider_url(client.post(reverse("sso_discover"), {"email": email}))


def sign_in_through(client: Client, email: str, username: str) -> Any:
    """The whole journey: the log-in page's "Sign in with your company's SSO" with a work
    e-mail, the identity provider, and back to the portal's callback. The callback's response."""
    callback = sign_in_at_idp(discover(client, email), username)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


# The access matrix. Order: anonymous, champion, executive, member, other_champion, csm,
# other_csm, admin.
L = "login"
ADMIN_ON_ACCOUNT_READ = [L, 403, 403, 403, 404, 403, 404, 200]
ADMIN_ON_ACCOUNT_WRITE = [L, 403, 403, 403, 404, 403, 404, 302]
POST_ONLY = [405] * 8
PUBLIC = [200] * 8

SSO_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    # Home realm discovery: anyone; an address no account signs in at is a 422 that says so.
    "sso_discover": (PUBLIC, [422] * 8),
    # allauth's "Sign in via …" page's Continue: a single sign-on that does not exist is a 404.
    "sso_start": (POST_ONLY, [404] * 8),
    "account_sso": (ADMIN_ON_ACCOUNT_READ, ADMIN_ON_ACCOUNT_WRITE),
    "account_sso_disable": (POST_ONLY, ADMIN_ON_ACCOUNT_WRITE),
    # allauth's provider pages, for the account's identity provider. A GET of the log-in URL
    # asks before leaving (SOCIALACCOUNT_LOGIN_ON_GET off); its POST goes out to the identity
    # provider (tests/test_sso_oidc.py). A callback with no sign-in under way is refused.
    "openid_connect_login": (PUBLIC, None),
    "openid_connect_callback": ([403] * 8, None),
    "saml_metadata": (PUBLIC, None),
    "saml_login": (PUBLIC, None),
    "saml_finish_acs": ([403] * 8, None),
    # allauth's "third-party login failure" page answers 401 (our failures show their own).
    "socialaccount_login_error": ([401] * 8, None),
}

# allauth's pages about no account: no account data in them, never an error (the matrix's
# test_auth_pages_never_fail). The SAML ACS (it stores the posted response in a session of its
# own, then redirects) and SLS (a logout request from the identity provider) are exercised in
# tests/test_sso_saml.py. "None": allauth's unnamed redirects from its old /auth/social/ URLs.
SSO_AUTH_PAGES = {
    "socialaccount_login_cancelled",
    "socialaccount_signup",
    "socialaccount_connections",
    "saml_acs",
    "saml_sls",
}

# allauth's social pages that carry no URL name: exempt by their route, so that any other
# unnamed pattern still needs a decision.
SSO_UNNAMED_AUTH_ROUTES = {
    "auth/social/login/cancelled/",
    "auth/social/login/error/",
    "auth/social/signup/",
    "auth/social/connections/",
}


def make_sso_world(world: Any) -> dict[str, Any]:
    """Account A signs in with OpenID Connect (an identity provider that is not running);
    account B with SAML."""
    oidc = AccountSSOFactory.create(account=world.account)
    saml = AccountSSOFactory.create(
        account=world.other_account,
        protocol=SSOProtocol.SAML,
        app=SocialAppFactory.create(
            provider="saml",
            provider_id=f"sso-{world.other_account.slug}",
            client_id=f"sso-{world.other_account.slug}",
            secret="",
            settings={
                "idp": {
                    "entity_id": "https://idp.bluth.example/saml",
                    "sso_url": "https://idp.bluth.example/saml/sso",
                    "x509cert": saml_test_certificate(),
                },
                "advanced": {"allow_single_label_domains": True},
            },
        ),
    )
    return {"oidc": oidc, "saml": saml}


def sso_url_args(s: dict[str, Any]) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    oidc: AccountSSO = s["oidc"]
    saml: AccountSSO = s["saml"]
    return {
        "sso_discover": ([], {"email": "someone@nowhere.example"}),
        "sso_start": ([], {"provider": "sso-nobody"}),
        "account_sso": ([oidc.account.slug], {"protocol": "oidc", "server_url": "http://127.0.0.1:9/o", "client_id": "portal-2", "client_secret": "", "group_claim": "groups", "role_mapping": "portal-champions = champion"}),
        "account_sso_disable": ([oidc.account.slug], {}),
        "openid_connect_login": ([oidc.provider_id], {}),
        "openid_connect_callback": ([oidc.provider_id], {}),
        "saml_metadata": ([saml.app.client_id], {}),
        "saml_login": ([saml.app.client_id], {}),
        "saml_finish_acs": ([saml.app.client_id], {}),
    }  # fmt: skip


def sso_setup(ctx: dict[str, Any]) -> None:
    """Single sign-on admits only the account's domains: give account A one."""
    Account.objects.filter(pk=ctx["world"].account.pk).update(email_domains="customer.example")


_CERTIFICATE: list[str] = []


def saml_test_certificate() -> str:
    """A self-signed X.509 certificate (base64 body), made once per run."""
    if not _CERTIFICATE:
        _CERTIFICATE.append(make_certificate()[1])
    return _CERTIFICATE[0]


def make_certificate() -> tuple[str, str]:
    """A new RSA key and a self-signed certificate for it: (key PEM, certificate base64)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test identity provider")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    body = "".join(certificate.public_bytes(serialization.Encoding.PEM).decode().splitlines()[1:-1])
    return key_pem, body

"""Single sign-on with SAML 2.0 through allauth's SAML provider (python3-saml): the service
provider metadata the customer's IT loads, the sign-in request sent to their identity
provider, and signed responses posted back, the way an identity provider posts them (signed
with the test identity provider's key; a response signed with another key is refused)."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from accounts.models import Account, AccountSSO, SSOProtocol, User
from accounts.services import configure_sso
from tests.factories import AccountFactory, AdminFactory
from tests.snapshot import unchanged
from tests.sso_helpers import discover, make_certificate

IDP_ENTITY = "https://idp.acme.example/saml"
IDP_SSO_URL = "https://idp.acme.example/saml/sso"
HOST = "127.0.0.1:8000"  # python3-saml refuses single-label host names like "testserver"
SP = f"http://{HOST}/auth/saml/sso-acme"
NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "p": "urn:oasis:names:tc:SAML:2.0:protocol"}


def browser() -> Client:
    return Client(HTTP_HOST=HOST)


@pytest.fixture(scope="module")
def idp_key() -> tuple[str, str]:
    return make_certificate()


@pytest.fixture
def acme(db: None, idp_key: tuple[str, str]) -> Account:
    account = AccountFactory.create(name="Acme", slug="acme", email_domains="acme.example")
    configure_sso(
        account,
        acting_user=AdminFactory.create(),
        protocol=SSOProtocol.SAML,
        saml_entity_id=IDP_ENTITY,
        saml_sso_url=IDP_SSO_URL,
        saml_x509cert=idp_key[1],
        group_claim="memberOf",
        role_mapping={"portal-execs": "executive"},
    )
    return account


def test_the_metadata_url_serves_valid_service_provider_metadata(acme: Account) -> None:
    response = browser().get(reverse("saml_metadata", args=["sso-acme"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    document = OneLogin_Saml2_XML.validate_xml(response.content, "saml-schema-metadata-2.0.xsd")
    assert not isinstance(document, str), document  # a string is the schema's complaint
    root = etree.fromstring(response.content)
    assert root.get("entityID") == f"{SP}/metadata/"
    acs = root.find(".//md:AssertionConsumerService", NS)
    assert acs is not None and acs.get("Location") == f"{SP}/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def sign_in_request(client: Client) -> dict[str, Any]:
    """Home realm discovery: the redirect to the identity provider, its SAMLRequest read."""
    location = urlsplit(discover(client, "pat@acme.example"))
    assert f"{location.scheme}://{location.netloc}{location.path}" == IDP_SSO_URL
    encoded = parse_qs(location.query)["SAMLRequest"][0]
    request = etree.fromstring(zlib.decompress(base64.b64decode(encoded), -15))
    return {"id": request.get("ID"), "xml": request}


def test_signing_in_sends_the_person_to_the_identity_providers_sso_url(acme: Account) -> None:
    request = sign_in_request(browser())["xml"]

    assert request.tag == "{urn:oasis:names:tc:SAML:2.0:protocol}AuthnRequest"
    assert request.get("Destination") == IDP_SSO_URL
    assert request.get("AssertionConsumerServiceURL") == f"{SP}/acs/"
    issuer = request.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")
    assert issuer is not None and issuer.text == f"{SP}/metadata/"


def saml_response(
    key: str, certificate: str, *, in_response_to: str, email: str, groups: list[str]
) -> str:
    """What an identity provider posts back: a Response whose Assertion is signed."""
    now = datetime.now(UTC)

    def instant(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    values = "".join(f"<saml:AttributeValue>{group}</saml:AttributeValue>" for group in groups)
    assertion_id = f"_{uuid4().hex}"
    # An unsolicited response (IdP-initiated) answers no request.
    answers = f' InResponseTo="{in_response_to}"' if in_response_to else ""
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{assertion_id}" Version="2.0" IssueInstant="{instant(now)}">
<saml:Issuer>{IDP_ENTITY}</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{answers} NotOnOrAfter="{instant(now + timedelta(minutes=5))}" Recipient="{SP}/acs/"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="{instant(now - timedelta(minutes=1))}" NotOnOrAfter="{instant(now + timedelta(minutes=5))}"><saml:AudienceRestriction><saml:Audience>{SP}/metadata/</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AuthnStatement AuthnInstant="{instant(now)}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>
<saml:AttributeStatement>
<saml:Attribute Name="urn:oid:0.9.2342.19200300.100.1.3"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="memberOf">{values}</saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>"""
    pem = "-----BEGIN CERTIFICATE-----\n" + certificate + "\n-----END CERTIFICATE-----\n"
    signed = OneLogin_Saml2_Utils.add_sign(assertion, key, pem)
    signed_text = signed.decode() if isinstance(signed, bytes) else signed
    signed_text = signed_text.split("?>", 1)[-1]  # no XML declaration inside the Response
    response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid4().hex}" Version="2.0" IssueInstant="{instant(now)}" Destination="{SP}/acs/"{answers}>
<saml:Issuer>{IDP_ENTITY}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{signed_text}
</samlp:Response>"""
    return base64.b64encode(response.encode()).decode()


def post_back(client: Client, encoded: str) -> Any:
    """The browser posts the response to the ACS, which hands it to its finishing step."""
    response = client.post(reverse("saml_acs", args=["sso-acme"]), {"SAMLResponse": encoded})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_a_signed_response_signs_the_person_in_with_their_mapped_role(
    acme: Account, idp_key: tuple[str, str]
) -> None:
    client = browser()
    request_id = sign_in_request(client)["id"]

    response = post_back(
        client,
        saml_response(
            *idp_key, in_response_to=request_id, email="pat@acme.example", groups=["portal-execs"]
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="pat@acme.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert list(user.memberships.values_list("account__slug", "role")) == [("acme", "executive")]


def test_a_response_signed_with_another_key_is_refused(acme: Account) -> None:
    client = browser()
    request_id = sign_in_request(client)["id"]
    forged = saml_response(
        *make_certificate(), in_response_to=request_id, email="pat@acme.example", groups=[]
    )
    acs = client.post(reverse("saml_acs", args=["sso-acme"]), {"SAMLResponse": forged})

    # The ACS keeps the posted response in a session of its own for the finishing step.
    with unchanged(ignoring=(Session,)):
        response = client.get(acs["Location"])

    assert response.status_code == 403
    assert "the SAML response failed a check (Signature validation failed" in (
        response.content.decode()
    )
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_a_response_for_an_address_outside_the_domains_is_refused(
    acme: Account, idp_key: tuple[str, str]
) -> None:
    client = browser()
    request_id = sign_in_request(client)["id"]
    acs = client.post(
        reverse("saml_acs", args=["sso-acme"]),
        {
            "SAMLResponse": saml_response(
                *idp_key, in_response_to=request_id, email="eve@elsewhere.example", groups=[]
            )
        },
    )
    with unchanged(ignoring=(Session,)):
        response = client.get(acs["Location"])

    assert response.status_code == 403
    assert "eve@elsewhere.example is not an address of Acme" in response.content.decode()


def test_an_unsolicited_response_is_refused(acme: Account, idp_key: tuple[str, str]) -> None:
    """IdP-initiated sign-in is off (allauth's default): no request of ours, no sign-in."""
    client = browser()
    encoded = saml_response(*idp_key, in_response_to="", email="pat@acme.example", groups=[])
    acs = client.post(reverse("saml_acs", args=["sso-acme"]), {"SAMLResponse": encoded})
    with unchanged(ignoring=(Session,)):
        response = client.get(acs["Location"])
    assert response.status_code == 403
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_saml_is_switched_off_with_the_account(acme: Account) -> None:
    from accounts.services import disable_sso

    disable_sso(AccountSSO.objects.get(account=acme), acting_user=AdminFactory.create())
    assert browser().get(reverse("saml_metadata", args=["sso-acme"])).status_code == 404

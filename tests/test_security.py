"""What the portal sends back besides the page: logging of refusals, caching, cookies, links."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.middleware import PrivateCacheMiddleware
from tests.conftest import World, client_for
from tests.factories import PASSWORD
from tests.panels import account_page
from tests.queries import counting
from tests.reports_helpers import make_reports_world

ROOT = Path(__file__).resolve().parent.parent


# Refusals are logged once, as a warning, without a traceback (bug 18) ---------------------------


def test_a_refusal_is_one_warning_without_a_traceback(world: World, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    url = reverse("account_edit", args=[world.account.slug])
    response = client_for(world.member).get(url)
    assert response.status_code == 403
    assert b"Your role on this account does not allow this." in response.content
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and not record.exc_text
    assert record.getMessage() == f"Forbidden: {url}"


def test_a_refusal_from_a_service_is_logged_the_same_way(world: World, caplog: Any) -> None:
    # A champion may not resend an invitation to a champion: the service refuses.
    invitation = world.account.invitations.create(
        email="boss@customer.example", role="champion", invited_by=world.csm
    )
    caplog.set_level(logging.INFO)
    response = client_for(world.champion).post(
        reverse("invitation_resend", args=[world.account.slug, invitation.pk])
    )
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.WARNING, None)]


def test_the_console_prints_each_line_of_djangos_once(tmp_path: Path) -> None:
    """Django's own console handler (on while DEBUG) and the root's would print it twice."""
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Forbidden: /a/acme/edit/')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Forbidden: /a/acme/edit/") == 1, result.stderr


# Nothing shown to a signed-in person is cached where others could read it (bug 20) -------------


def test_pages_for_a_signed_in_person_are_private_and_not_stored(world: World) -> None:
    for url in [
        reverse("account_home", args=[world.account.slug]),
        reverse("people", args=[world.account.slug]),
        reverse("profile"),
    ]:
        response = client_for(world.champion).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store", url


def test_a_redirect_and_a_refusal_are_private_too(world: World) -> None:
    client = client_for(world.member)
    assert client.get("/")["Cache-Control"] == "private, no-store"
    refused = client.get(reverse("account_edit", args=[world.account.slug]))
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "private, no-store"


def test_responses_to_anonymous_visitors_are_left_alone(world: World) -> None:
    for url in [reverse("account_home", args=[world.account.slug]), "/no-such-page/"]:
        response = Client().get(url)
        assert response.status_code in (302, 404)
        assert "Cache-Control" not in response, url


def test_a_pdf_download_is_private(world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ready = make_reports_world(world)["ready"]
    response = client_for(world.executive).get(
        reverse("report_download", args=[world.account.slug, ready.pk])
    )
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_the_logo_keeps_its_own_private_caching(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#c2410c").save(buffer, format="PNG")
    world.account.logo.save("acme.png", SimpleUploadedFile("acme.png", buffer.getvalue()))
    response = client_for(world.member).get(reverse("account_logo", args=[world.account.slug]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"\x89PNG")
    assert response["Cache-Control"] == "private, max-age=3600"


class _SignedIn:
    is_authenticated = True


class _Anonymous:
    is_authenticated = False


@pytest.mark.parametrize(
    "user,set_by_view,sent",
    [
        (_SignedIn(), None, "private, no-store"),
        (_SignedIn(), "public, max-age=600", "max-age=600, private"),
        (_SignedIn(), "max-age=600", "max-age=600, private"),
        (_SignedIn(), "private, max-age=3600", "private, max-age=3600"),
        (_SignedIn(), "no-store", "no-store"),
        (_Anonymous(), "public, max-age=600", "public, max-age=600"),
        (_Anonymous(), None, None),
    ],
)
def test_a_view_s_own_cache_control_is_kept_but_never_public(
    user: Any, set_by_view: str | None, sent: str | None
) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(b"%PDF-1.7")
        if set_by_view:
            response["Cache-Control"] = set_by_view
        return response

    request = HttpRequest()
    request.user = user
    response = PrivateCacheMiddleware(view)(request)
    assert response.get("Cache-Control") == sent


# Reading a page writes nothing (bug 21) ---------------------------------------------------------


def session_writes(queries: Any) -> list[str]:
    return [
        sql
        for sql in queries.sql
        if "django_session" in sql and sql.lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_a_second_look_at_the_account_page_writes_no_session(world: World, persona: str) -> None:
    client = Client()
    client.post(
        reverse("account_login"), {"login": getattr(world, persona).email, "password": PASSWORD}
    )
    url = reverse("account_home", args=[world.account.slug])
    with counting() as first:
        response = client.get(url)
    assert response.status_code == 200
    # The first visit remembers the account (home brings them back), so it writes once.
    assert session_writes(first) and "sessionid" in response.cookies
    for page in [url, reverse("people", args=[world.account.slug]), url]:
        with counting() as queries:
            response = client.get(page)
        assert response.status_code == 200
        assert "sessionid" not in response.cookies, page
        assert not session_writes(queries), page


def test_a_preview_writes_no_session_once_started(world: World) -> None:
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "member"})
    url = reverse("account_home", args=[world.account.slug])
    client.get(url)
    with counting() as queries:
        response = client.get(url)
    assert b"would see it" in response.content
    assert "sessionid" not in response.cookies
    assert not session_writes(queries)


def test_the_session_is_not_saved_on_every_request(settings: Any) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


# The CSRF cookie is out of scripts' reach (bug 24) ----------------------------------------------


def test_the_csrf_cookie_is_http_only(db: None) -> None:
    response = Client().get(reverse("account_login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert "HttpOnly" in cookie.output()


def test_htmx_gets_the_token_from_the_page_not_the_cookie(world: World) -> None:
    client = client_for(world.champion)
    response = account_page(client, world.account.slug)
    assert re.search(
        rb"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]{64}\"\}'", response.content
    )
    for script in (ROOT / "static").rglob("*.js"):
        assert "document.cookie" not in script.read_text(encoding="utf-8"), script


# Links follow the host and port the portal is served on (bug 1) ---------------------------------


LINKS = """
from allauth.core import context
from django.core import mail
from django.test import RequestFactory

from accounts.adapters import PortalAccountAdapter
from accounts.models import Invitation
from surveys.models import Delivery
from surveys.services import answer_url

print(Invitation(pk=7, nonce="n").get_accept_url())
print(answer_url(Delivery(pk=3), 9))
with context.request_context(RequestFactory().get("/auth/login/code/")):
    PortalAccountAdapter().send_mail(
        "account/email/login_code", "ann@customer.example", {"code": "ABCD-EFGH"}
    )
print(mail.outbox[0].body)
"""


def test_links_use_the_host_and_port_make_start_serves_on(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SITE_URL", "HOST", "PORT", "EMAIL_URL")
    }
    env.update(
        HOST="127.0.0.1",
        PORT="8101",
        EMAIL_URL="memorymail://",
        PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity=0", "-c", LINKS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    invitation, survey, *login_code = result.stdout.splitlines()
    assert invitation.startswith("http://127.0.0.1:8101/invitations/7-")
    assert survey.startswith("http://127.0.0.1:8101/surveys/answer/")
    login_mail = "\n".join(login_code)
    assert "ABCD-EFGH" in login_mail
    assert "127.0.0.1:8101" in login_mail and "testserver" not in login_mail


def test_make_start_passes_host_and_port_to_the_demo_and_the_server() -> None:
    result = subprocess.run(
        ["make", "--dry-run", "start", "PORT=8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    commands = result.stdout.splitlines()
    load_demo = next(c for c in commands if "load_demo" in c)
    runserver = next(c for c in commands if "runserver" in c)
    assert "PORT=8101" in load_demo and "HOST=127.0.0.1" in load_demo
    assert runserver.endswith("runserver 127.0.0.1:8101") and "PORT=8101" in runserver

"""Logging in: passwords, one-time codes, MFA, rate limits, re-authentication, sessions."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import World, client_for
from tests.factories import PASSWORD
from tests.panels import account_page


def log_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def enable_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_a_champion_logs_in_with_a_password_and_lands_on_their_account(world: World) -> None:
    client = Client()
    response = log_in(client, world.champion.email)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_home", args=[world.account.slug])


def test_the_email_is_not_case_sensitive(world: World) -> None:
    client = Client()
    log_in(client, world.champion.email.upper())
    assert client.get("/").status_code == 302
    assert "_auth_user_id" in client.session


def test_a_wrong_password_is_a_form_error(world: World) -> None:
    response = log_in(Client(), world.champion.email, "wrong-password")
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_repeated_failures_are_rate_limited(world: World) -> None:
    client = Client()
    for _ in range(5):
        log_in(client, world.champion.email, "wrong-password")
    response = log_in(client, world.champion.email, PASSWORD)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_person_who_forgot_their_password_logs_in_with_a_code(world: World) -> None:
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": world.champion.email})
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert code, mail.outbox[-1].body
    assert "Customer Portal" in mail.outbox[-1].body and "testserver" not in mail.outbox[-1].body
    response = client.post(reverse("account_confirm_login_code"), {"code": code.group(1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.champion.pk)


def test_there_is_no_public_sign_up(db: None) -> None:
    response = Client().post(
        reverse("account_signup"), {"email": "stranger@example.com", "password1": "pass-pass-1234"}
    )
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert response.status_code == 200
    assert b"by invitation" in response.content


def test_with_totp_a_password_alone_is_not_enough(world: World) -> None:
    secret = enable_totp(world.champion)
    client = Client()
    response = log_in(client, world.champion.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.champion.pk)


def test_recovery_codes_are_offered_with_totp(world: World) -> None:
    enable_totp(world.champion)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(world.champion).get_unused_codes()
    client = Client()
    log_in(client, world.champion.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.champion.pk)


def test_staff_must_set_up_mfa_when_the_setting_says_so(world: World, settings: Any) -> None:
    settings.PORTAL_STAFF_MFA_REQUIRED = True
    client = client_for(world.csm)
    response = client.get(reverse("portfolio"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_index"))
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    # Customers are not forced.
    assert (
        client_for(world.champion)
        .get(reverse("account_home", args=[world.account.slug]))
        .status_code
        == 200
    )
    enable_totp(world.csm)
    assert client.get(reverse("portfolio")).status_code == 200


def test_changing_mfa_or_email_asks_for_the_password_again(world: World) -> None:
    client = client_for(world.champion)  # logged in without a fresh authentication
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "new@customer.example"}
    )
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not EmailAddress.objects.filter(
        user=world.champion, email="new@customer.example"
    ).exists()


def test_people_see_and_end_their_own_sessions(world: World) -> None:
    laptop, phone = Client(), Client()
    log_in(laptop, world.champion.email)
    log_in(phone, world.champion.email)
    assert UserSession.objects.filter(user=world.champion).count() == 2
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    laptop.post(reverse("usersessions_list"), {})  # "end the other sessions"
    assert account_page(phone, world.account.slug).status_code == 302
    assert account_page(laptop, world.account.slug).status_code == 200


def test_the_admin_logs_in_through_allauth(world: World) -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # CS admins work in the portal; the admin is for superusers only.
    response = client_for(world.admin).get("/admin/", follow=True)
    assert response.status_code == 403


def test_totp_authenticator_is_stored_for_the_user(world: World) -> None:
    enable_totp(world.executive)
    assert Authenticator.objects.filter(user=world.executive, type=Authenticator.Type.TOTP).exists()

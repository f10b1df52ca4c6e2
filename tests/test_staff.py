"""The CS admin's team page: adding, re-roling and deactivating vendor staff."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from accounts.models import Activity, User
from tests.conftest import World, client_for


def test_a_cs_admin_adds_a_csm_who_sets_a_password_from_the_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("staff_add"),
            {"name": "Nora New", "email": "Nora@Vendor.example", "vendor_role": "csm"},
        )
    assert response.status_code == 302
    nora = User.objects.get(email="nora@vendor.example")
    assert nora.vendor_role == "csm" and not nora.has_usable_password()
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/auth/password/reset/key/" in line
    )
    client = Client()
    path = link.split("127.0.0.1:8000", 1)[1]
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "a-good-new-passphrase", "password2": "a-good-new-passphrase"}
    )
    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.check_password("a-good-new-passphrase")
    assert Activity.objects.filter(verb="added a member of staff", actor=world.admin).exists()


def test_an_address_already_in_use_is_refused(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("staff_add"), {"name": "Dup", "email": world.champion.email, "vendor_role": "csm"}
    )
    assert response.status_code == 422
    assert b"already logs in with this address" in response.content
    assert User.objects.get(email=world.champion.email).vendor_role == ""


def test_a_bad_role_is_a_form_error(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("staff_add"), {"name": "X", "email": "x@vendor.example", "vendor_role": "superuser"}
    )
    assert response.status_code == 422
    assert not User.objects.filter(email="x@vendor.example").exists()


def test_a_csm_is_promoted_and_the_log_keeps_it(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("staff_role", args=[world.csm.pk]), {"vendor_role": "admin"}
    )
    assert response.status_code == 302
    world.csm.refresh_from_db()
    assert world.csm.vendor_role == "admin"
    entry = Activity.objects.get(verb="changed a staff role")
    assert (entry.before, entry.after) == ({"vendor_role": "csm"}, {"vendor_role": "admin"})


def test_an_admin_cannot_demote_or_deactivate_themselves(world: World) -> None:
    client = client_for(world.admin)
    assert (
        client.post(
            reverse("staff_role", args=[world.admin.pk]), {"vendor_role": "csm"}
        ).status_code
        == 403
    )
    assert client.post(reverse("staff_deactivate", args=[world.admin.pk])).status_code == 403
    world.admin.refresh_from_db()
    assert world.admin.vendor_role == "admin" and world.admin.is_active


def test_customers_are_not_staff_pages_targets(world: World) -> None:
    response = client_for(world.admin).post(reverse("staff_deactivate", args=[world.champion.pk]))
    assert response.status_code == 404
    assert User.objects.get(pk=world.champion.pk).is_active


def test_the_team_page_shows_who_has_two_factor(world: World) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(world.csm, generate_totp_secret())
    page = client_for(world.admin).get(reverse("staff")).content.decode()
    csm_row = page[page.index(world.csm.email) :].split("</tr>")[0]
    other_row = page[page.index(world.other_csm.email) :].split("</tr>")[0]
    assert ">On<" in csm_row and "Not set up" in other_row


def test_the_welcome_email_names_the_role_with_its_article(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(
            reverse("staff_add"),
            {"name": "Ian Admin", "email": "ian@vendor.example", "vendor_role": "admin"},
        )
    message = mail.outbox[-1]
    assert "as a CS admin." in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, _ = message.alternatives[0]
    assert isinstance(html, str) and "as a CS admin." in html


def test_the_team_page_is_one_of_the_settings(world: World) -> None:
    page = client_for(world.admin).get(reverse("staff")).content.decode()
    assert f'<p class="eyebrow"><a href="{reverse("console_settings")}">Settings</a></p>' in page
    settings_page = client_for(world.admin).get(reverse("console_settings")).content.decode()
    assert f'<a href="{reverse("staff")}">Team</a>' in settings_page
